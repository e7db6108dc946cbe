package org.relax4j.cli;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where a command runs on Apache Spark: the one home of {@code --master}, {@code --conf} and {@code --executor-wait}
 * for {@code relax dataset}, {@code relax evaluate --master} and {@code relax retrieve --master}, checked the same
 * way for each. Free of Spark's classes, so commands of the light jar can hold it; {@link SparkDriver} does the
 * driver's work.
 */
final class SparkOptions {

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[*] or spark://HOST:PORT. Default: the one spark-submit gives; "
                    + "else local[*] (embedded) for dataset, and no Spark for evaluate and retrieve.")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Spark setting (as spark-submit's --conf), e.g. spark.executor.memory=4g; repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--executor-wait", paramLabel = "SECONDS", defaultValue = "120",
            description = "On a cluster: how long to wait for the first executor before giving up. "
                    + "Default: ${DEFAULT-VALUE}.")
    int executorWait = 120;

    /** The master asked for: --master, else spark-submit's, else null. */
    String given() {
        return master != null ? master : System.getProperty("spark.master");
    }

    /** Checks the options that need no Spark (a usage error naming the option). */
    void check(CommandSpec spec) {
        if (master != null && !isMasterUrl(master)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--master " + master + " is not a Spark "
                    + "master URL; use local[*], local[N] with N >= 1, spark://HOST:PORT, yarn or k8s://URL");
        }
        for (String key : conf.keySet()) {
            if (!key.startsWith("spark.")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--conf " + key + ": Spark's settings "
                        + "start with 'spark.'");
            }
            if (key.equals("spark.master")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--conf spark.master: use --master");
            }
        }
        if (executorWait < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--executor-wait must be at least 1 "
                    + "second, got " + executorWait);
        }
    }

    /**
     * For a command that runs on Spark only when asked ({@code evaluate}, {@code retrieve}): whether it was, checked;
     * a usage error when Spark's library is not in this jar or Spark settings come without a master.
     */
    boolean requested(CommandSpec spec) {
        check(spec);
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        boolean settings = !conf.isEmpty() || (parsed != null && parsed.hasMatchedOption("--executor-wait"));
        if (given() == null) {
            if (settings) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--conf and --executor-wait apply on "
                        + "Spark: give --master too (e.g. local[*] or spark://HOST:PORT)");
            }
            return false;
        }
        if (!RelaxCli.present(RelaxCli.SPARK_LIBRARY)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--master needs Apache Spark, which this "
                    + "jar leaves out: run it from relax.jar (./relax does when --master is given)");
        }
        return true;
    }

    /**
     * For a standalone master ({@code spark://host:port[,host:port]}): null if one of its addresses takes a
     * connection, else the cause in one line (Spark itself would retry for a minute and then fail with "Cannot call
     * methods on a stopped SparkContext").
     */
    static String unreachableMaster(String url) {
        if (url == null || !url.startsWith("spark://")) {
            return null;
        }
        String problem = null;
        for (String hostPort : url.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : 7077;
            } catch (NumberFormatException e) {
                return "the Spark master " + url + " has no valid port";
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), 5000);
                return null;
            } catch (IOException e) {
                problem = e.getMessage();
            }
        }
        return "the Spark master " + url + " cannot be reached (" + problem + "); is it running, and is that its "
                + "address?";
    }

    /** The master URLs Spark takes (a bad one otherwise fails deep inside Spark with a stack trace). */
    static boolean isMasterUrl(String m) {
        return m.equals("local") || m.equals("yarn")
                || m.matches("local\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?]")
                || m.matches("local-cluster\\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*]")
                || m.matches("(spark|k8s|mesos)://\\S+");
    }
}
