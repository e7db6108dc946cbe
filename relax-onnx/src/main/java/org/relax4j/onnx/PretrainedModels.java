package org.relax4j.onnx;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import ai.onnxruntime.OrtSession;
import org.relax4j.image.Normalization;
import org.relax4j.io.StagedFolder;
import org.relax4j.model.Layout;
import org.relax4j.model.ModelDescriptor;
import org.relax4j.tfjs.TfjsGraphModel;
import org.relax4j.tfjs.TfjsToOnnx;

/**
 * Pretrained models fetched and converted at set-up time, cached on disk.
 *
 * <p><b>MobileNetV2 (1.4, 224) embedding</b>, from the {@code nsfwjs} {@value #NSFWJS_VERSION} npm package
 * ({@code dist/models/mobilenet_v2_mid}, a uint8-quantized TensorFlow.js graph model). {@link #ensureMobileNetV2}
 * runs {@code npm pack nsfwjs@4.3.0} in a temporary directory, checks the tarball against the SHA-512
 * integrity the registry publishes ({@value #NSFWJS_INTEGRITY}), extracts the model's files in Java, and
 * converts them with {@link TfjsToOnnx} up to the {@value #MOBILENET_V2_DIM}-d feature vector
 * ({@link #MOBILENET_V2_EMBEDDING_NODE}), not the 5-class classifier behind it. No model weights are part of
 * this library.
 *
 * <p>The model takes {@code [N, 3, 224, 224]} (NCHW, N dynamic) RGB in {@code [0, 1]}; the graph itself rescales
 * to {@code [−1, 1]} ({@link #MOBILENET_V2_PIXELS}). It is converted channels-first: RELAX's batches are NCHW, so
 * no batch is transposed, neither in Java nor by the model (TensorFlow's NHWC input would be, twice). For RELAX,
 * which masks ImageNet-normalised NCHW images, use {@link #openMobileNetV2}, whose {@link OnnxEncoder} declares that
 * pixel space and so maps each batch into it.
 *
 * <p>Cache: {@code $RELAX4J_CACHE} if set, else {@code ~/.cache/relax4j}. Files are written to a temporary name
 * and moved into place, so a reader never sees a partial file and concurrent set-ups are safe. Each entry's
 * SHA-256 is recorded when it is created and checked on every use; a damaged entry (truncated, emptied, or
 * without a record) is reported, naming the file, and rebuilt.
 */
public final class PretrainedModels {

    /** The nsfwjs release the MobileNetV2 comes from. */
    public static final String NSFWJS_VERSION = "4.3.0";
    /** {@code npm view nsfwjs@4.3.0 dist.integrity}: SHA-512 of the tarball, base64. */
    public static final String NSFWJS_INTEGRITY =
            "sha512-WTKDte0vp1X97N1h34P79G/hG+sVT3+TnDz9di1WseIJR93v11E4viNX7Vg9WsO6HYoR772Nzq2iM8jo3XBZ+g==";
    /** Where the model lies inside the npm tarball. */
    public static final String NSFWJS_MODEL_PATH = "package/dist/models/mobilenet_v2_mid/";
    /**
     * File name of the converted model in the cache, named by the converter's output version
     * ({@link TfjsToOnnx#VERSION}, the one constant to bump), so that a cache filled by an older converter is not
     * reused.
     */
    public static final String MOBILENET_V2_FILE = "mobilenet_v2_mid-embedding-nchw-c" + TfjsToOnnx.VERSION + ".onnx";
    /** The TensorFlow.js node whose output is the embedding (Squeeze of the global average pool). */
    public static final String MOBILENET_V2_EMBEDDING_NODE = "StatefulPartitionedCall/sequential/keras_layer/"
            + "StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/"
            + "SpatialSqueeze";
    /** Name of the model's input ({@link #MOBILENET_V2_LAYOUT}, RGB in [0, 1]). */
    public static final String MOBILENET_V2_INPUT = "input";
    /** The model's input layout: NCHW, as RELAX's batches are (converted channels-first). */
    public static final Layout MOBILENET_V2_LAYOUT = Layout.NCHW;
    /** Height and width the model takes. */
    public static final int MOBILENET_V2_SIZE = 224;
    /** Length of the embedding. */
    public static final int MOBILENET_V2_DIM = 1792;
    /** The model's pixel space: RGB in [0, 1]. */
    public static final Normalization MOBILENET_V2_PIXELS = Normalization.unit();
    /** Environment variable that overrides the cache directory. */
    public static final String CACHE_ENV = "RELAX4J_CACHE";
    /** The registry's name of the pretrained MobileNetV2 embedding, as the command line and Spark spell it. */
    public static final String MOBILENET_V2 = "mobilenet-v2";
    /** Where the MobileNetV2 embedding comes from, for provenance. */
    public static final String MOBILENET_V2_ORIGIN = "npm nsfwjs@" + NSFWJS_VERSION + " dist/models/mobilenet_v2_mid, "
            + "converted from TensorFlow.js to ONNX";

    private static final long NPM_TIMEOUT_MINUTES = 10;

    private PretrainedModels() {
    }

    /**
     * {@code $RELAX4J_CACHE} if set and non-empty, else {@code ~/.cache/relax4j}.
     *
     * @return the cache directory
     */
    public static Path defaultCacheDir() {
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "relax4j");
    }

    /**
     * Returns the path of the converted MobileNetV2 embedding model in {@code cacheDir}, creating it if missing.
     *
     * @param cacheDir the cache directory (created if missing)
     * @param log receives progress lines (download, integrity, conversion time, op counts)
     * @return {@code cacheDir/}{@value #MOBILENET_V2_FILE}
     * @throws IllegalStateException if npm fails or the tarball's integrity does not match
     * @throws UncheckedIOException if a file cannot be read or written
     */
    public static Path ensureMobileNetV2(Path cacheDir, Consumer<String> log) {
        Objects.requireNonNull(log, "log");
        Path target = cacheDir.resolve(MOBILENET_V2_FILE);
        if (Files.isRegularFile(target)) {
            String problem = CacheIntegrity.checkFile(target);
            if (problem == null) {
                return target;
            }
            log.accept("cache: " + problem + "; converting the model again");
        }
        Path tfjs = ensureNsfwjsModelFiles(cacheDir, log);
        long t0 = System.nanoTime();
        TfjsToOnnx.Result result = convertMobileNetV2(tfjs);
        log.accept(String.format(Locale.ROOT, "converted %s in %.2f s: %d ONNX nodes, %.1f MB; TensorFlow ops %s",
                tfjs, (System.nanoTime() - t0) / 1e9, result.onnxNodes(), result.onnx().length / 1e6,
                result.convertedOps()));
        writeAtomically(target, result.onnx());
        // the record comes second: a set-up killed in between leaves a file without one, which is rebuilt
        CacheIntegrity.recordFile(target, result.onnx());
        log.accept("wrote " + target);
        return target;
    }

    /**
     * Returns the directory holding nsfwjs's MobileNetV2 TensorFlow.js files ({@code model.min.js} and its
     * shards) in {@code cacheDir}, fetching them with npm if missing.
     *
     * @param cacheDir the cache directory
     * @param log receives progress messages
     * @return the directory with the model files
     * @throws IllegalStateException if npm fails or the tarball's integrity does not match
     * @throws UncheckedIOException if a file cannot be read or written
     */
    public static Path ensureNsfwjsModelFiles(Path cacheDir, Consumer<String> log) {
        Path dir = cacheDir.resolve("nsfwjs-" + NSFWJS_VERSION).resolve("mobilenet_v2_mid");
        if (Files.isDirectory(dir)) {
            String problem = CacheIntegrity.checkDirectory(dir);
            if (problem == null) {
                return dir;
            }
            log.accept("cache: " + problem + "; fetching nsfwjs again");
            deleteRecursively(dir);
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(cacheDir, "nsfwjs-");
            Path tgz = npmPack("nsfwjs@" + NSFWJS_VERSION, tmp, log);
            verifyIntegrity(tgz, NSFWJS_INTEGRITY);
            log.accept("verified " + tgz.getFileName() + " against " + NSFWJS_INTEGRITY.substring(0, 20) + "...");
            Map<String, byte[]> files = TarGz.extract(tgz, name -> name.startsWith(NSFWJS_MODEL_PATH)
                    && name.indexOf('/', NSFWJS_MODEL_PATH.length()) < 0);
            if (!files.containsKey(NSFWJS_MODEL_PATH + "model.min.js")) {
                throw new IllegalStateException(tgz + " has no " + NSFWJS_MODEL_PATH + "model.min.js; entries found: "
                        + files.keySet());
            }
            try (StagedFolder staged = StagedFolder.begin(dir.getParent(), dir.getFileName().toString())) {
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    Files.write(staged.path().resolve(e.getKey().substring(NSFWJS_MODEL_PATH.length())), e.getValue());
                }
                CacheIntegrity.recordDirectory(staged.path());
                if (!staged.publish(existing -> false)) {
                    log.accept(dir + " appeared meanwhile; using it");
                }
            }
            log.accept("extracted " + files.size() + " files to " + dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up nsfwjs " + NSFWJS_VERSION + " in " + cacheDir, e);
        } finally {
            if (tmp != null) {
                deleteRecursively(tmp);
            }
        }
    }

    /**
     * Converts nsfwjs's MobileNetV2 (directory with {@code model.min.js} or {@code model.json}) to the embedding
     * ONNX model, checking the expected input and output shapes.
     *
     * @param tfjsModelDir the directory with the TensorFlow.js model
     * @return the ONNX model with what the conversion did
     * @throws IllegalStateException if the converted model does not have the expected input or output shape
     */
    public static TfjsToOnnx.Result convertMobileNetV2(Path tfjsModelDir) {
        TfjsGraphModel model = TfjsGraphModel.read(tfjsModelDir);
        TfjsToOnnx.Result result = TfjsToOnnx.convert(model, MOBILENET_V2_EMBEDDING_NODE, true);
        long[] expectedIn = {-1, 3, MOBILENET_V2_SIZE, MOBILENET_V2_SIZE};
        long[] expectedOut = {-1, MOBILENET_V2_DIM};
        if (!Arrays.equals(result.inputShape(), expectedIn)
                || !Arrays.equals(result.outputShape(), expectedOut)) {
            throw new IllegalStateException("unexpected MobileNetV2 conversion: input "
                    + Arrays.toString(result.inputShape()) + ", output "
                    + Arrays.toString(result.outputShape()) + "; expected "
                    + Arrays.toString(expectedIn) + " -> " + Arrays.toString(expectedOut));
        }
        return result;
    }

    /**
     * Images ONNX Runtime runs at once on the CPU ({@link OnnxEncoder.Builder#maxBatch}): a batch of 100 is run as
     * chunks of 16. The results are the same; the first batches are faster — measured on 2 cores, a cold `relax
     * explain` at 384 passes spent 3.5 s in the encoder whole and 3.1–3.2 s in chunks (warm: 3.0 s either way),
     * because ONNX Runtime's buffers for 16 images are a sixth of those for 100, so far less fresh memory is touched.
     */
    public static final int CPU_CHUNK = 16;

    /**
     * Opens the MobileNetV2 embedding as an encoder of ImageNet-normalised NCHW {@code (B, 3, 224, 224)} batches,
     * creating the model first if needed. The encoder maps each batch to the model's pixel space
     * ({@link #MOBILENET_V2_PIXELS}) as it copies it (NCHW, as RELAX's batches are), and runs it in chunks of {@link #CPU_CHUNK}
     * (as every builder from {@link #builder(String, Path)} does).
     *
     * @param cacheDir the cache directory, e.g. {@link #defaultCacheDir()}
     * @param intraOpThreads ONNX Runtime's intra-op threads; 0 lets it choose
     * @param log receives progress lines when the model is created
     * @return an encoder returning {@value #MOBILENET_V2_DIM}-d rows; close it to release ONNX Runtime
     */
    public static OnnxEncoder openMobileNetV2(Path cacheDir, int intraOpThreads, Consumer<String> log) {
        return openMobileNetV2(cacheDir, log, b -> b.intraOpThreads(intraOpThreads));
    }

    /**
     * As {@link #openMobileNetV2(Path, int, Consumer)}, with the caller's session options (e.g. with a CUDA
     * execution provider; see {@link OnnxEncoder}).
     *
     * @param cacheDir the cache directory, e.g. {@link #defaultCacheDir()}
     * @param options ONNX Runtime session options; not closed by the encoder
     * @param log receives progress lines when the model is created
     * @return an encoder returning {@value #MOBILENET_V2_DIM}-d rows; close it, then the options
     */
    public static OnnxEncoder openMobileNetV2(Path cacheDir, OrtSession.SessionOptions options,
                                              Consumer<String> log) {
        // The caller's session options may name a GPU, which wants whole batches: no chunks.
        return openMobileNetV2(cacheDir, log, b -> b.sessionOptions(options).maxBatch(0));
    }

    private static OnnxEncoder openMobileNetV2(Path cacheDir, Consumer<String> log,
                                               UnaryOperator<OnnxEncoder.Builder> options) {
        Path model = ensureMobileNetV2(cacheDir, log);
        OnnxEncoder.Builder b = builder(MOBILENET_V2, model);
        try {
            OnnxEncoder enc = options.apply(b).build();
            int dim = enc.descriptor(MOBILENET_V2, null).dimension();
            if (dim != 0 && dim != MOBILENET_V2_DIM) {
                enc.close();
                throw new IllegalStateException("it returns " + dim + " values, not MobileNetV2's " + MOBILENET_V2_DIM
                        + "-d embedding");
            }
            return enc;
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load the cached model " + model + " (delete it and it is rebuilt "
                    + "on the next run): " + e.getMessage(), e);
        }
    }

    // ---- the registry: every entry point names, describes and opens pretrained models through these ----

    /** {@return the names of the pretrained models, as the command line and Spark take them} */
    public static List<String> names() {
        return List.of(MOBILENET_V2);
    }

    /** {@return whether {@code name} is a pretrained model's name} */
    public static boolean isPretrained(String name) {
        return names().contains(name);
    }

    /**
     * The pretrained model's identity for provenance, the same from every entry point.
     *
     * @param name a name from {@link #names()}
     * @param cacheDir where the model is (or will be) cached
     * @return the descriptor
     * @throws IllegalArgumentException if the name is not a pretrained model's, listing the valid names
     */
    public static ModelDescriptor descriptor(String name, Path cacheDir) {
        requireKnown(name);
        return new ModelDescriptor(MOBILENET_V2, MOBILENET_V2_ORIGIN,
                cacheDir.resolve(MOBILENET_V2_FILE).toAbsolutePath().toString(), MOBILENET_V2_INPUT,
                MOBILENET_V2_EMBEDDING_NODE, MOBILENET_V2_LAYOUT, MOBILENET_V2_PIXELS, MOBILENET_V2_DIM);
    }

    /**
     * Makes sure the pretrained model is in the cache, converting it on first use.
     *
     * @param name a name from {@link #names()}
     * @return the model file
     * @throws IllegalArgumentException if the name is not a pretrained model's, listing the valid names
     */
    public static Path ensure(String name, Path cacheDir, Consumer<String> log) {
        requireKnown(name);
        return ensureMobileNetV2(cacheDir, log);
    }

    /**
     * A builder for the pretrained model's file wherever it is (the cache, or a copy shipped to a Spark executor),
     * with the model's input, layout and pixel space set, and CPU chunks of {@link #CPU_CHUNK} (set
     * {@code maxBatch(0)} for a GPU's whole batches).
     *
     * @param name a name from {@link #names()}
     * @param file the model file
     * @return the builder, to which the caller adds threads or session options
     * @throws IllegalArgumentException if the name is not a pretrained model's, listing the valid names
     */
    public static OnnxEncoder.Builder builder(String name, Path file) {
        requireKnown(name);
        return configure(OnnxEncoder.builder(file));
    }

    /**
     * As {@link #builder(String, Path)}, for the model's bytes (as a Spark executor receives them).
     *
     * @param name a name from {@link #names()}
     * @param model the model file's bytes
     * @return the builder
     */
    public static OnnxEncoder.Builder builder(String name, byte[] model) {
        requireKnown(name);
        return configure(OnnxEncoder.builder(model));
    }

    private static OnnxEncoder.Builder configure(OnnxEncoder.Builder b) {
        return b.inputName(MOBILENET_V2_INPUT).layout(MOBILENET_V2_LAYOUT).pixels(MOBILENET_V2_PIXELS).maxBatch(CPU_CHUNK);
    }

    private static void requireKnown(String name) {
        if (!isPretrained(name)) {
            throw new IllegalArgumentException("no pretrained model named '" + name + "'; the pretrained models are "
                    + names());
        }
    }

    /**
     * Creates the MobileNetV2 model in the cache and prints its path.
     *
     * @param args optionally the cache directory (default {@link #defaultCacheDir()})
     */
    public static void main(String[] args) {
        Path cache = args.length > 0 ? Path.of(args[0]) : defaultCacheDir();
        Path model = ensureMobileNetV2(cache, System.err::println);
        System.out.println(model.toAbsolutePath());
    }

    // ---- npm, integrity, files ----

    private static Path npmPack(String spec, Path dir, Consumer<String> log) throws IOException {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
        List<String> cmd = List.of(windows ? "npm.cmd" : "npm", "pack", spec, "--silent");
        log.accept("running " + String.join(" ", cmd) + " in " + dir);
        Path npmLog = dir.resolve("npm-pack.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(npmLog.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice(windows)));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run npm (is Node.js installed and on the PATH?) to fetch " + spec,
                    e);
        }
        try {
            if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("npm pack " + spec + " did not finish in " + NPM_TIMEOUT_MINUTES
                        + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running npm pack " + spec, e);
        }
        String output = Files.readString(npmLog, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("npm pack " + spec + " failed with exit code " + p.exitValue() + ":\n"
                    + output.strip());
        }
        List<Path> tarballs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tgz")) {
            ds.forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new IllegalStateException("npm pack " + spec + " left " + tarballs.size() + " tarballs in " + dir
                    + ":\n" + output.strip());
        }
        return tarballs.get(0);
    }

    private static File nullDevice(boolean windows) {
        return new File(windows ? "NUL" : "/dev/null");
    }

    /**
     * Checks a file against an npm/SRI integrity string {@code sha512-<base64>}.
     *
     * @throws IllegalStateException if the digest differs
     */
    static void verifyIntegrity(Path file, String integrity) throws IOException {
        if (!integrity.startsWith("sha512-")) {
            throw new IllegalArgumentException("unsupported integrity " + integrity);
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 unavailable", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        String actual = "sha512-" + Base64.getEncoder().encodeToString(md.digest());
        if (!actual.equals(integrity)) {
            throw new IllegalStateException("integrity check failed for " + file + ": expected " + integrity
                    + ", got " + actual);
        }
    }

    /** Writes {@code bytes} to a temporary file beside {@code target}, then moves it over {@code target}. */
    static void writeAtomically(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            try {
                // temporary files are created owner-only; the cache is meant to be readable like any download
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the failure above is the one to report
                }
            }
        }
    }

    /** Best-effort removal of a temporary or damaged cache folder. */
    private static void deleteRecursively(Path root) {
        try {
            StagedFolder.deleteTree(root);
        } catch (UncheckedIOException ignored) {
            // what could not be removed is left for the next run's clean-up
        }
    }
}
