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
        subcommands = CommandLine.HelpCommand.class)
public final class RelaxCli implements Runnable {
    /**
     * The commands, in the order help lists them, with a class each needs from a library that the light jar
     * ({@code relax-lite.jar}: images only) leaves out, or null. Named, not referenced: a command's class is loaded
     * only when it runs (or help lists it), so {@code relax explain} never loads Spark's or the text model's classes.
     */
    /** A class of the text model's libraries (DJL's tokenizer), absent from the light jar. */
    static final String TEXT_LIBRARY = "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer";
    /** A class of Spark, absent from the light jar. */
    static final String SPARK_LIBRARY = "org.apache.spark.sql.SparkSession";

    private static final String[][] COMMANDS = {
        {"explain", "org.relax4j.cli.ExplainCommand", null},
        {"evaluate", "org.relax4j.cli.EvaluateCommand", null},
        {"retrieve", "org.relax4j.cli.RetrieveCommand", null},
        {"explain-text", "org.relax4j.cli.ExplainTextCommand", RelaxCli.TEXT_LIBRARY},
        {"serve", "org.relax4j.cli.ServeCommand", null},
        {"dataset", "org.relax4j.cli.DatasetCommand", RelaxCli.SPARK_LIBRARY},
        {"engines", "org.relax4j.cli.EnginesCommand", null},
    };
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
        addCommands(cl, args.length > 0 ? args[0] : null, factory);
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

    /**
     * Adds the command that runs ({@code first} names it), or every command when none is named (help, a usage
     * error listing them). A command whose library this jar lacks is added as one that says so.
     */
    private static void addCommands(CommandLine cl, String first, CommandLine.IFactory factory) {
        boolean named = false;
        for (String[] c : COMMANDS) {
            named |= c[0].equals(first);
        }
        for (String[] c : COMMANDS) {
            if (named && !c[0].equals(first)) {
                continue;
            }
            if (c[2] != null && !present(c[2])) {
                cl.addSubcommand(c[0], missing(c[0], c[2]));
                continue;
            }
            try {
                cl.addSubcommand(c[0], new CommandLine(factory.create(Class.forName(c[1])), factory));
            } catch (Exception ex) {
                throw new IllegalStateException("cannot create the command " + c[0] + ": " + ex, ex);
            }
        }
    }

    /** Whether {@code className} can be loaded here (without initialising it). */
    static boolean present(String className) {
        try {
            Class.forName(className, false, RelaxCli.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }

    /** A command this jar cannot run: any arguments, and a failure that says which jar can. */
    private static CommandLine missing(String name, String needs) {
        String why = "relax " + name + " is not in this jar (relax-lite.jar has no " + (SPARK_LIBRARY.equals(needs)
                ? "Apache Spark" : "text model") + "): run it with the full relax.jar (relax-cli/target/relax.jar; "
                + "the 'relax' launcher picks it)";
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.wrapWithoutInspection(
                (java.util.concurrent.Callable<Integer>) () -> {
                    throw new IllegalStateException(why);
                });
        spec.name(name);
        spec.usageMessage().description("(not in this jar: use the full relax.jar)");
        spec.parser().unmatchedArgumentsAllowed(true).unmatchedOptionsArePositionalParams(true);
        spec.addUnmatchedArgsBinding(CommandLine.Model.UnmatchedArgsBinding.forStringArrayConsumer(
                new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        return null;
                    }
                }));
        return new CommandLine(spec);
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
        // ONNX Runtime's libraries from a cache folder instead of a fresh extraction at every start (0.12 s)
        org.relax4j.onnx.NativeLibraryCache.install(org.relax4j.onnx.PretrainedModels.defaultCacheDir());
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
