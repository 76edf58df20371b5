package io.latentlink.it;

import io.latentlink.proto.v1.Mode;
import java.nio.file.Path;
import java.util.List;

/** Parity on the bundled demo models (models/); skipped until training has committed rx, sx and fuser-rx-sx. */
class DemoModelsIT extends LinkParityBase {

    @Override
    Path models() {
        return Path.of(System.getProperty("latentlink.models.dir", "../models"));
    }

    @Override
    List<Mode> modes() {
        return List.of(Mode.RECEIVER_ONLY, Mode.TEXT, Mode.C2C);
    }
}
