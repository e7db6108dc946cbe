package org.relax4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code relax} command. Exit codes: 0 success, 1 the work failed (unreadable image, model or engine
 * problem), 2 bad usage (one line naming the option, then "see --help"), 130 / 143 stopped by SIGINT / SIGTERM.
 */
@Command(name = "relax", mixinStandardHelpOptions = true, versionProvider = RelaxCli.Version.class,
        description = "RELAX: which parts of an image does an encoder's representation depend on?",
        subcommands = {ExplainCommand.class, EvaluateCommand.class, RetrieveCommand.class, ExplainTextCommand.class, ServeCommand.class, DatasetCommand.class, EnginesCommand.class,
                CommandLine.HelpCommand.class})
public final class RelaxCli implements Runnable {
    /** Exit code when the work failed. */
    static final int FAILED = 1;
    /** Exit code of a usage error. */
    static final int USAGE = 2;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'relax explain IMAGE'");
    }

    /**
     * Runs the command line and returns the exit code (for tests and embedding).
     *
     * @param args the command-line arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code: 0 on success, 1 when the work failed, 2 on a usage error
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, CommandLine.defaultFactory());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, creating the commands with {@code factory}. */
    static int run(String[] args, PrintWriter out, PrintWriter err, CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new RelaxCli(), factory);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine where = ex.getCommandLine();
            where.getErr().println("relax: error: " + ex.getMessage());
            where.getErr().println("see '" + where.getCommandSpec().qualifiedName() + " --help'");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("relax: error: " + ex.getMessage());
            if (isBug(ex)) {
                // A message like "handler" or "null" tells the user nothing: a bug report needs where it happened.
                line.getErr().println("relax: this is a bug in relax4j; please report it with these lines:");
                ex.printStackTrace(line.getErr());
            } else if (System.getenv("RELAX4J_DEBUG") != null) {
                ex.printStackTrace(line.getErr());
            }
            return FAILED;
        });
        return cl.execute(args);
    }

    /** Exceptions that only a mistake in the code raises, never bad input or a failing file or device. */
    static boolean isBug(Throwable ex) {
        return ex instanceof NullPointerException || ex instanceof ClassCastException
                || ex instanceof IndexOutOfBoundsException || ex instanceof ArithmeticException
                || ex instanceof ArrayStoreException;
    }

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RelaxCli.class.getPackage().getImplementationVersion();
            return new String[] {"relax4j " + (v != null ? v : "(development build)"),
                    "Java " + System.getProperty("java.version")};
        }
    }
}
