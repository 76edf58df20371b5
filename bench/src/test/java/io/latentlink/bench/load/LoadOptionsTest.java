package io.latentlink.bench.load;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadOptionsTest {

    @Test
    void parsesGhzStyleFlags() {
        LoadOptions o = LoadOptions.parse("--call", "latentlink.v1.Receiver.Generate", "-d", "{\"prompt\":\"hi\"}",
                "-n", "40", "-c", "4", "--rps", "12.5", "-t", "3s", "-O", "json", "-o", "out.json", "--insecure", "127.0.0.1:9103");
        assertEquals("latentlink.v1.Receiver.Generate", o.call());
        assertEquals("{\"prompt\":\"hi\"}", o.data());
        assertEquals(40, o.total());
        assertEquals(4, o.concurrency());
        assertEquals(12.5, o.rps());
        assertEquals(Duration.ofSeconds(3), o.timeout());
        assertEquals("json", o.format());
        assertEquals("out.json", o.output());
        assertEquals("127.0.0.1", o.host());
        assertEquals(9103, o.port());
        assertNull(o.duration());
    }

    @Test
    void defaultsFollowGhz() {
        LoadOptions o = LoadOptions.parse("--call=latentlink.v1.Node.Status", "localhost:1");
        assertEquals("{}", o.data());
        assertEquals(LoadOptions.DEFAULT_TOTAL, o.total());
        assertEquals(LoadOptions.DEFAULT_CONCURRENCY, o.concurrency());
        assertEquals(0, o.rps());
        assertEquals("summary", o.format());
        assertEquals(LoadOptions.DEFAULT_TIMEOUT, o.timeout());
    }

    @Test
    void concurrencyIsCappedByTheRequestCountButNotUnderADuration() {
        assertEquals(3, LoadOptions.parse("--call", "a.B.C", "-n", "3", "-c", "10", "[::1]:5").concurrency());
        assertEquals("::1", LoadOptions.parse("--call", "a.B.C", "[::1]:5").host());
        assertEquals(10, LoadOptions.parse("--call", "a.B.C", "-n", "3", "-c", "10", "-z", "1s", "h:5").concurrency());
    }

    @Test
    void durationsTakeGoUnits() {
        assertEquals(Duration.ofMillis(250), LoadOptions.parseDuration("-z", "250ms"));
        assertEquals(Duration.ofSeconds(10), LoadOptions.parseDuration("-z", "10s"));
        assertEquals(Duration.ofSeconds(90), LoadOptions.parseDuration("-z", "1.5m"));
        assertEquals(Duration.ofHours(1), LoadOptions.parseDuration("-z", "1h"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parseDuration("-z", "10"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parseDuration("-z", "fast"));
    }

    @Test
    void badInputIsRefusedWithTheFlagNamed() {
        assertMessage("--call is required", "127.0.0.1:1");
        assertMessage("host:port", "--call", "a.B.C", "nohost");
        assertMessage("1..65535", "--call", "a.B.C", "h:70000");
        assertMessage("-n must be > 0", "--call", "a.B.C", "-n", "0", "h:1");
        assertMessage("-c must be > 0", "--call", "a.B.C", "-c", "0", "h:1");
        assertMessage("--rps", "--call", "a.B.C", "--rps", "-1", "h:1");
        assertMessage("-n needs a whole number", "--call", "a.B.C", "-n", "ten", "h:1");
        assertMessage("-O must be", "--call", "a.B.C", "-O", "csv", "h:1");
        assertMessage("unknown flag --bogus", "--call", "a.B.C", "--bogus", "h:1");
        assertMessage("-d needs a value", "--call", "a.B.C", "h:1", "-d");
        assertMessage("one target expected", "--call", "a.B.C", "h:1", "h:2");
    }

    @Test
    void remoteTargetsNeedAnExplicitFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadMain.requireLoopback(LoadOptions.parse("--call", "a.B.C", "192.0.2.1:80")));
        assertTrue(e.getMessage().contains("--allow-remote"), e.getMessage());
        LoadMain.requireLoopback(LoadOptions.parse("--call", "a.B.C", "127.0.0.1:80"));
        LoadMain.requireLoopback(LoadOptions.parse("--call", "a.B.C", "--allow-remote", "192.0.2.1:80"));
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention '" + expected + "'");
    }
}
