package io.latentlink.core.fusion;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FuserManifestTest {
    static final String GOOD = """
            {"format": "latentlink-fuser/1",
             "receiver": {"id": "rx", "sha256": "00"}, "sharer": {"id": "sx", "sha256": "11"},
             "layer_map": [[0, 2], [1, 3]], "gates": [0, 1], "graphs": {"1": "layer_1.onnx"},
             "alignment": "last", "fuse_prefix": "all_but_last", "training": {"steps": 10}}
            """;

    static String message(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve("fuser.json"), json);
        return assertThrows(FuserException.class, () -> FuserManifest.read(dir)).getMessage();
    }

    @Test
    void readsAGoodManifest(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("fuser.json"), GOOD);
        FuserManifest m = FuserManifest.read(dir);
        assertEquals(2, m.receiverLayers());
        assertEquals(3, m.sharerLayer(1));
        assertTrue(m.isOpen(1));
        assertEquals("last", m.alignment());
    }

    @Test
    void namesTheOffendingField(@TempDir Path dir) throws IOException {
        assertTrue(message(dir, GOOD.replace("\"alignment\"", "\"alinement\"")).contains("unknown field 'alinement'"));
        assertTrue(message(dir, GOOD.replace("latentlink-fuser/1", "other/9")).contains("'format'"));
        assertTrue(message(dir, GOOD.replace("[[0, 2], [1, 3]]", "[[0, 2]]")).contains("'layer_map'"));
        assertTrue(message(dir, GOOD.replace("[[0, 2], [1, 3]]", "[[1, 2], [0, 3]]")).contains("'layer_map'"));
        assertTrue(message(dir, GOOD.replace("\"gates\": [0, 1]", "\"gates\": [0, 2]")).contains("'gates'"));
        assertTrue(message(dir, GOOD.replace("\"gates\": [0, 1]", "\"gates\": [1, 1]")).contains("open gate but no graph"));
        assertTrue(message(dir, GOOD.replace("all_but_last", "all")).contains("'fuse_prefix'"));
        assertTrue(message(dir, "{not json").contains("fuser.json"));
    }

    @Test
    void missingManifestIsReported(@TempDir Path dir) {
        assertTrue(assertThrows(FuserException.class, () -> FuserManifest.read(dir)).getMessage().contains("no fuser.json"));
    }
}
