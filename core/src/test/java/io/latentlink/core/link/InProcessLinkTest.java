package io.latentlink.core.link;

import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.model.SessionConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-process modes on the real demo models. */
class InProcessLinkTest {
    static LinkModel rx;
    static LinkModel sx;
    static FuserRunner fuser;
    static List<LinkQaItem> items;

    @BeforeAll
    static void load() throws Exception {
        Path models = DemoModels.dir();
        rx = LinkModel.open(models.resolve("rx"), SessionConfig.cpu(1));
        sx = LinkModel.open(models.resolve("sx"), SessionConfig.cpu(1));
        fuser = FuserRunner.load(models.resolve("fuser-rx-sx"));
        items = LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl")).subList(0, 6);
    }

    @AfterAll
    static void close() {
        if (fuser != null) {
            fuser.close();
        }
        if (sx != null) {
            sx.close();
        }
        if (rx != null) {
            rx.close();
        }
    }

    @Test
    void c2cFusesTheOpenLayersAndAnswers() {
        InProcessLink link = new InProcessLink(rx, sx, fuser, 64);
        LinkResult r = link.answer(items.get(0).prompt(), LinkMode.C2C, 16);
        assertArrayEquals(fuser.fusedLayers(), r.fusedLayers());
        assertFalse(r.text().isEmpty());
        assertTrue(r.timings().fuseNanos() > 0);
    }

    @Test
    void chunkSizeDoesNotChangeAnswers() {
        InProcessLink whole = new InProcessLink(rx, sx, fuser, 4096);
        InProcessLink chunked = new InProcessLink(rx, sx, fuser, 7);
        for (LinkQaItem item : items) {
            for (LinkMode mode : List.of(LinkMode.RECEIVER_ONLY, LinkMode.C2C)) {
                assertArrayEquals(whole.answer(item.prompt(), mode, 16).tokenIds(), chunked.answer(item.prompt(), mode, 16).tokenIds(),
                        mode + " " + item.id());
            }
        }
    }

    @Test
    void textRelayCarriesTheSharersSentence() {
        InProcessLink link = new InProcessLink(rx, sx, null, 64);
        LinkResult r = link.answer(items.get(0).prompt(), LinkMode.TEXT, 16);
        assertNotNull(r.relaySentence());
        assertFalse(r.relaySentence().isBlank());
        assertEquals(0, r.fusedLayers().length);
    }

    @Test
    void c2cWithoutAFuserIsRefused() {
        InProcessLink link = new InProcessLink(rx, sx, null, 64);
        assertThrows(IllegalStateException.class, () -> link.answer(items.get(0).prompt(), LinkMode.C2C, 4));
    }

    @Test
    void aFuserForOtherModelsIsRefused() {
        // The fuser is bound to rx as receiver; offering sx in that role must fail loudly.
        assertThrows(RuntimeException.class, () -> new InProcessLink(sx, rx, fuser, 64));
    }
}
