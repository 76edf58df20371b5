package io.latentlink.core.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the core CLI: {@code generate} on any model folder, {@code eval} of the LinkQA splits in-process. */
@Command(name = "latentlink", mixinStandardHelpOptions = true, version = "latentlink 0.1",
        subcommands = {GenerateCommand.class, EvalCommand.class},
        description = "LatentLink core: run a decoder, or evaluate receiver/sharer/text/C2C in one process.")
public final class LatentLinkCli {
    public static void main(String[] args) {
        System.exit(new CommandLine(new LatentLinkCli()).execute(args));
    }
}
