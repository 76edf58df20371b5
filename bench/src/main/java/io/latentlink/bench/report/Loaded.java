package io.latentlink.bench.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every results file the report knows, read from one folder: a parsed view for each one that is present and well
 * formed, null otherwise (the file's state says why).
 */
record Loaded(Map<String, ResultFile> files, ModesResults modes, TransportResults transport, ScalingResults scaling,
              ConcurrencyResults concurrency, CodecsResults codecs, CoreJmhResults coreJmh) {
    static final List<String> FILES = List.of(ModesResults.FILE, TransportResults.FILE, ScalingResults.FILE,
            ConcurrencyResults.FILE, CodecsResults.FILE, CoreJmhResults.FILE);

    static Loaded from(Path dir) {
        Map<String, ResultFile> files = new LinkedHashMap<>();
        FILES.forEach(f -> files.put(f, ResultFile.load(dir, f)));
        ModesResults modes = parse(files, ModesResults.FILE, ModesResults::parse);
        TransportResults transport = parse(files, TransportResults.FILE, f -> TransportResults.parse(f.root()));
        ScalingResults scaling = parse(files, ScalingResults.FILE, f -> ScalingResults.parse(f.root()));
        ConcurrencyResults concurrency = parse(files, ConcurrencyResults.FILE, f -> ConcurrencyResults.parse(f.root()));
        CodecsResults codecs = parse(files, CodecsResults.FILE, f -> CodecsResults.parse(f.root()));
        CoreJmhResults coreJmh = parse(files, CoreJmhResults.FILE, f -> CoreJmhResults.parse(f.root()));
        return new Loaded(files, modes, transport, scaling, concurrency, codecs, coreJmh);
    }

    ResultFile file(String name) {
        return files.get(name);
    }

    /** Parses a present file; a schema violation turns it into a malformed file with the reason. */
    private static <T> T parse(Map<String, ResultFile> files, String name, Function<ResultFile, T> parser) {
        ResultFile f = files.get(name);
        if (!f.present()) {
            return null;
        }
        try {
            return parser.apply(f);
        } catch (MalformedResultException e) {
            files.put(name, ResultFile.malformed(name, e.getMessage()));
            return null;
        }
    }
}
