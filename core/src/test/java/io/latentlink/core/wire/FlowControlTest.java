package io.latentlink.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FlowControlTest {

    @Test
    void producerTakesOnlyGrantedCredits() throws Exception {
        CreditWindow w = new CreditWindow();
        w.grant(2);
        assertTrue(w.acquire(() -> true, 0, TimeUnit.MILLISECONDS));
        assertTrue(w.acquire(() -> true, 0, TimeUnit.MILLISECONDS));
        assertFalse(w.acquire(() -> true, 0, TimeUnit.MILLISECONDS));
        assertEquals(0, w.available());
    }

    @Test
    void aWaitingProducerWakesOnGrantAndOnClose() throws Exception {
        CreditWindow w = new CreditWindow();
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicBoolean got = new AtomicBoolean();
        Thread t = Thread.ofVirtual().start(() -> {
            waiting.countDown();
            try {
                got.set(w.acquire(() -> true, 30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.await();
        w.grant(1);
        t.join(30_000);
        assertTrue(got.get());

        Thread closedWaiter = Thread.ofVirtual().start(() -> {
            try {
                got.set(w.acquire(() -> true, 30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        w.close();
        closedWaiter.join(30_000);
        assertFalse(got.get());
    }

    @Test
    void readinessGatesSendingEvenWithCredits() throws Exception {
        CreditWindow w = new CreditWindow();
        w.grant(5);
        assertFalse(w.acquire(() -> false, 1, TimeUnit.MILLISECONDS));
        assertEquals(5, w.available());
    }

    @Test
    void absurdGrantsAreAProtocolError() {
        CreditWindow w = new CreditWindow();
        assertEquals(WireException.Kind.PROTOCOL, assertThrows(WireException.class, () -> w.grant(0)).kind());
        assertEquals(WireException.Kind.PROTOCOL,
                assertThrows(WireException.class, () -> w.grant(CreditWindow.MAX_OUTSTANDING + 1)).kind());
    }

    @Test
    void consumerRegrantsInBatchesAndCatchesOverrun() {
        ConsumerCredits c = new ConsumerCredits(4);
        assertEquals(4, c.initialGrant());
        for (int i = 0; i < 4; i++) {
            c.onReceived();
        }
        assertEquals(WireException.Kind.PROTOCOL, assertThrows(WireException.class, c::onReceived).kind());

        ConsumerCredits d = new ConsumerCredits(4);
        d.initialGrant();
        d.onReceived();
        assertEquals(0, d.onConsumed());
        d.onReceived();
        assertEquals(2, d.onConsumed());
        assertEquals(4, d.outstanding());
    }

    @Test
    void sequenceGapsAndRepeatsAreOutOfOrder() {
        SequenceTracker s = new SequenceTracker();
        s.accept(0);
        s.accept(1);
        assertEquals(WireException.Kind.OUT_OF_ORDER, assertThrows(WireException.class, () -> s.accept(1)).kind());
        assertEquals(WireException.Kind.OUT_OF_ORDER, assertThrows(WireException.class, () -> s.accept(3)).kind());
    }

    @Test
    void crc32cMatchesTheCastagnoliCheckValue() {
        // The standard check value of CRC-32C over "123456789".
        assertEquals(0xE3069283, Crc32c.of("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(WireException.Kind.CORRUPT, assertThrows(WireException.class,
                () -> Crc32c.verify(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), 0)).kind());
    }
}
