package org.relax4j.cli;

import java.util.concurrent.Callable;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists the engines on the class path and whether each can run here. */
@Command(name = "engines", mixinStandardHelpOptions = true,
        description = "List the engines (cpu, opencl, tornado) and the device each would use here.")
final class EnginesCommand implements Callable<Integer> {
    private static final String TORNADO = "tornado";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int usable = 0;
        for (String name : Engines.available()) {
            try (Engine e = Engines.create(name, Runtime.getRuntime().availableProcessors(), null)) {
                spec.commandLine().getOut().println(name + ": " + e.device());
                usable++;
            } catch (RuntimeException ex) {
                spec.commandLine().getOut().println(name + ": unavailable (" + ex.getMessage() + ")");
            }
        }
        if (!Engines.available().contains(TORNADO)) {
            spec.commandLine().getOut().println(TORNADO + ": unavailable (" + Engines.TORNADO_HINT + ")");
        }
        return usable > 0 ? 0 : RelaxCli.FAILED;
    }
}
