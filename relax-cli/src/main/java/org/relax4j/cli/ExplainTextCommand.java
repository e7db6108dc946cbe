package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

import org.relax4j.text.AnsiText;
import org.relax4j.text.Granularity;
import org.relax4j.text.HtmlPage;
import org.relax4j.text.MiniLm;
import org.relax4j.text.TextExplainer;
import org.relax4j.text.TextExplanation;
import org.relax4j.text.TextJson;
import org.relax4j.text.TextPicture;
import org.relax4j.text.WordMasking;
import org.relax4j.text.Words;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code relax explain-text TEXT [--query Q]}: which words a sentence embedding depends on, or match a query by. */
@Command(name = "explain-text", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain which words of TEXT its sentence embedding (all-MiniLM-L6-v2, quantised, shipped in",
                "the jar) depends on, or, with --query, which words make TEXT match the query. Prints the text",
                "with each word shaded by its importance (colour on a terminal; NO_COLOR or --no-color for plain",
                "text) and the words ranked, with their uncertainty.", ""},
        footer = {"", "Each mask keeps every word with probability 0.5; a dropped word's sub-word tokens are",
                "removed through the attention mask (--masking remove, the default: the text without the word) or",
                "replaced by [MASK] (--masking mask-token). A word's importance is the mean similarity of the",
                "masked texts' embeddings to the target (the text's own embedding, or the query's) over the masks",
                "that keep it. Punctuation marks are words of their own.", "",
                "Exit codes: 0 done, 1 failed, 2 bad usage, 130/143 stopped by SIGINT/SIGTERM."},
        usageHelpWidth = 100)
final class ExplainTextCommand implements Callable<Integer> {

    /** How dropped words reach the model, as the option spells it. */
    enum Masking {
        remove(WordMasking.REMOVE), mask_token(WordMasking.MASK_TOKEN);

        final WordMasking value;

        Masking(WordMasking value) {
            this.value = value;
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to explain (quote it).")
    String text;

    @Option(names = "--query", paramLabel = "Q",
            description = "Explain the match with this query: masks are weighted by the similarity of the masked "
                    + "text's embedding to the query's. Default: to the text's own embedding.")
    String query;

    @Option(names = "--json", description = "Print JSON only (one entry per word: word, importance, uncertainty, "
            + "characters; plus the settings) on standard output.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML page: words shaded by importance, uncertainty on hover.")
    Path html;

    @Option(names = "--png", paramLabel = "FILE", description = "Also write a PNG picture of the shaded text.")
    Path png;

    @Option(names = "--masks", paramLabel = "N", defaultValue = "" + TextExplainer.DEFAULT_MASKS,
            description = "Number of masks. Default: ${DEFAULT-VALUE}.")
    int masks;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the masks; the same seed gives the same result. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--masking", paramLabel = "remove|mask-token", defaultValue = "remove",
            converter = MaskingConverter.class,
            description = "How a dropped word reaches the model. Default: ${DEFAULT-VALUE}.")
    Masking masking;

    @Option(names = "--units", paramLabel = "word|token", defaultValue = "word", converter = UnitsConverter.class,
            description = "What one mask position covers: a word (its sub-word tokens together) or a token. "
                    + "Default: ${DEFAULT-VALUE}.")
    Granularity units;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0",
            description = "ONNX Runtime's threads. Default: ONNX Runtime's choice.")
    int threads;

    @Option(names = "--no-color", description = "No colour, even on a terminal.")
    boolean noColor;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        checkOptions();
        // Output files are checked before the run, not after it.
        checkOutputFile("--html", html);
        checkOutputFile("--png", png);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TextExplanation e;
        try (SignalGuard guard = SignalGuard.install(err);
             MiniLm model = MiniLm.load(threads);
             TextExplainer explainer = explainer(model)) {
            checkInput(model);
            ProgressBar bar = new ProgressBar(err, "text", System.console() != null);
            try {
                e = explainer.explain(text, query, quiet ? p -> { } : bar, guard.token());
            } catch (CancellationException ex) {
                if (System.console() != null) {
                    err.println();
                }
                err.println("relax: stopped" + (guard.signalled() ? " by a signal" : "") + "; nothing was written");
                return guard.exitCode();
            }
        }
        return write(e, out, err);
    }

    /** The explainer these options describe, over {@code model} (which it does not close). */
    TextExplainer explainer(MiniLm model) {
        return TextExplainer.builder(model).masks(masks).seed(seed).masking(masking.value).granularity(units).build();
    }

    /** Checks the options that need no model; {@code relax serve}'s {@code POST /explain-text} checks the same. */
    void checkOptions() {
        if (masks < 1) {
            throw usage("--masks must be at least 1, got " + masks);
        }
        if (threads < 0) {
            throw usage("--threads must be at least 0, got " + threads);
        }
        if (text.isBlank()) {
            throw usage("TEXT is empty: give a text with at least one word");
        }
        if (query != null && query.isBlank()) {
            throw usage("--query is empty: give a query with at least one word, or leave --query out");
        }
    }

    /** Checks that the model reads the text (and the query). */
    void checkInput(MiniLm model) {
        try {
            if (Words.of(model.tokenize(text), units).size() == 0) {
                throw usage("TEXT has no words the model reads (only invisible or control characters)");
            }
        } catch (IllegalArgumentException ex) {
            throw usage("TEXT: " + ex.getMessage());
        }
        if (query != null) {
            try {
                model.tokenize(query);
            } catch (IllegalArgumentException ex) {
                throw usage("--query: " + ex.getMessage().replace("the text has", "the query has"));
            }
        }
    }

    private int write(TextExplanation e, PrintWriter out, PrintWriter err) throws IOException {
        if (html != null) {
            HtmlPage.write(html, e);
        }
        if (png != null) {
            TextPicture.write(png, e);
        }
        if (json) {
            out.print(TextJson.write(e));
        } else {
            out.print(AnsiText.render(e, !noColor && AnsiText.colourByDefault()));
            if (html != null) {
                out.println("wrote " + html);
            }
            if (png != null) {
                out.println("wrote " + png);
            }
        }
        out.flush();
        if (out.checkError()) {
            err.println("relax: could not write the results to standard output (closed, or the disk is full)");
            return RelaxCli.FAILED;
        }
        return 0;
    }

    /** A file option's target: its folder must exist, and it must not be a folder itself. */
    private void checkOutputFile(String option, Path file) {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw usage(option + " " + file + " is a folder; give a file name");
        }
        if (parent == null || !Files.isDirectory(parent)) {
            throw usage(option + " " + file + ": no folder " + parent + " to write it in");
        }
        if (!Files.isWritable(parent)) {
            throw usage(option + " " + file + ": the folder " + parent + " cannot be written");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static final class MaskingConverter implements CommandLine.ITypeConverter<Masking> {
        @Override
        public Masking convert(String value) {
            return switch (value) {
                case "remove" -> Masking.remove;
                case "mask-token" -> Masking.mask_token;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not remove or mask-token");
            };
        }
    }

    static final class UnitsConverter implements CommandLine.ITypeConverter<Granularity> {
        @Override
        public Granularity convert(String value) {
            return switch (value) {
                case "word" -> Granularity.WORD;
                case "token" -> Granularity.TOKEN;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not word or token");
            };
        }
    }
}
