package io.latentlink.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load tool's settings, with ghz's flag names where ghz has one.
 *
 * @param call        fully qualified method, {@code package.Service.Method} or {@code package.Service/Method}
 * @param data        the request as protobuf JSON ({@code {}} = the default message)
 * @param target      {@code host:port}
 * @param total       requests to send; ignored when {@code duration} is set (as in ghz)
 * @param concurrency workers, each with at most one call in flight
 * @param rps         requests per second over all workers; 0 = as fast as the workers go
 * @param duration    run length; null = stop after {@code total}
 * @param timeout     per-call deadline
 * @param format      {@code summary} (text) or {@code json} on stdout
 * @param output      file to write the JSON summary to; null = none
 * @param allowRemote send to a non-loopback target (off by default: a load tool should not hit a shared host by accident)
 */
public record LoadOptions(String call, String data, String target, long total, int concurrency, double rps,
                          Duration duration, Duration timeout, String format, String output, boolean allowRemote) {

    public static final long DEFAULT_TOTAL = 200;
    public static final int DEFAULT_CONCURRENCY = 50;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    static final String USAGE = """
            usage: latentlink-load --call PKG.SERVICE.METHOD [-d JSON] [-n N | -z DURATION] [-c N] [--rps R]
                                   [-t TIMEOUT] [-O summary|json] [-o FILE] [--allow-remote] HOST:PORT
              --call          method, e.g. latentlink.v1.Receiver.Generate (unary or server streaming)
              -d, --data      request message as protobuf JSON (default {})
              -n, --total     requests to send (default 200; ignored with -z, as in ghz)
              -c, --concurrency  workers, one call in flight each (default 50, at most -n)
              -r, --rps       total request rate limit per second (default 0 = none)
              -z, --duration  run for this long, e.g. 30s, 500ms, 2m
              -t, --timeout   per-call deadline (default 20s)
              -O, --format    summary (default) or json, on stdout
              -o, --output    also write the JSON summary to FILE
              --insecure      accepted for ghz compatibility; connections are always plaintext
              --allow-remote  allow a target that is not a loopback address
            """;

    public LoadOptions {
        if (call == null || call.isBlank()) {
            throw new IllegalArgumentException("--call is required, e.g. --call latentlink.v1.Receiver.Generate");
        }
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("a target host:port is required");
        }
        hostOf(target);
        portOf(target);
        if (total <= 0) {
            throw new IllegalArgumentException("-n must be > 0, got " + total);
        }
        if (concurrency <= 0) {
            throw new IllegalArgumentException("-c must be > 0, got " + concurrency);
        }
        if (!(rps >= 0) || Double.isInfinite(rps)) {
            throw new IllegalArgumentException("--rps must be a finite number >= 0, got " + rps);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("-z must be > 0, got " + duration);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("-t must be > 0, got " + timeout);
        }
        if (!format.equals("summary") && !format.equals("json")) {
            throw new IllegalArgumentException("-O must be summary or json, got '" + format + "'");
        }
        if (duration == null && concurrency > total) {
            // ghz refuses -c > -n; more workers than requests would only idle.
            concurrency = (int) total;
        }
    }

    public static LoadOptions parse(String... args) {
        String call = null;
        String data = "{}";
        String target = null;
        long total = DEFAULT_TOTAL;
        int concurrency = DEFAULT_CONCURRENCY;
        double rps = 0;
        Duration duration = null;
        Duration timeout = DEFAULT_TIMEOUT;
        String format = "summary";
        String output = null;
        boolean allowRemote = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                name = arg.substring(0, arg.indexOf('='));
                inline = arg.substring(arg.indexOf('=') + 1);
            }
            switch (name) {
                case "--call" -> call = value(args, i++, name, inline);
                case "-d", "--data" -> data = value(args, i++, name, inline);
                case "-n", "--total" -> total = parseLong(name, value(args, i++, name, inline));
                case "-c", "--concurrency" -> concurrency = Math.toIntExact(parseLong(name, value(args, i++, name, inline)));
                case "-r", "--rps" -> rps = parseDouble(name, value(args, i++, name, inline));
                case "-z", "--duration" -> duration = parseDuration(name, value(args, i++, name, inline));
                case "-t", "--timeout" -> timeout = parseDuration(name, value(args, i++, name, inline));
                case "-O", "--format" -> format = value(args, i++, name, inline);
                case "-o", "--output" -> output = value(args, i++, name, inline);
                case "--insecure" -> {
                }
                case "--allow-remote" -> allowRemote = true;
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown flag " + arg);
                    }
                    positional.add(arg);
                }
            }
            if (inline != null) {
                i--; // the value was part of this argument
            }
        }
        if (positional.size() > 1) {
            throw new IllegalArgumentException("one target expected, got " + positional);
        }
        return new LoadOptions(call, data, positional.isEmpty() ? null : positional.get(0), total, concurrency, rps,
                duration, timeout, format, output, allowRemote);
    }

    public String host() {
        return hostOf(target);
    }

    public int port() {
        return portOf(target);
    }

    private static String hostOf(String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("target must be host:port, got '" + target + "'");
        }
        String host = target.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int portOf(String target) {
        String port = target.substring(target.lastIndexOf(':') + 1);
        try {
            int p = Integer.parseInt(port);
            if (p <= 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target port must be 1..65535, got '" + port + "'");
        }
    }

    private static String value(String[] args, int i, String flag, String inline) {
        if (inline != null) {
            return inline;
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i + 1];
    }

    private static long parseLong(String flag, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + v + "'");
        }
    }

    private static double parseDouble(String flag, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'");
        }
    }

    /** Go-style durations as ghz takes them: {@code 250ms}, {@code 10s}, {@code 1.5m}, {@code 1h}. */
    static Duration parseDuration(String flag, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
        for (String[] unit : units) {
            if (s.endsWith(unit[0]) && !(unit[0].equals("s") && s.endsWith("ms"))) {
                String number = s.substring(0, s.length() - unit[0].length());
                try {
                    double millis = Double.parseDouble(number) * Long.parseLong(unit[1]);
                    return Duration.ofNanos(Math.round(millis * 1e6));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException(flag + " needs a duration such as 500ms, 10s or 2m, got '" + v + "'");
    }
}
