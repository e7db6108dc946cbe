package org.relax4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Similarity;
import org.relax4j.Target;
import org.relax4j.estimate.BlockErrorEstimator;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.image.Images;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;
import org.relax4j.onnx.PretrainedModels;

/**
 * Map quality against encoder passes, in one command:
 * {@code java -cp relax-bench/target/benchmarks.jar org.relax4j.bench.QualityBench}.
 *
 * <p>For each subject (the three sample photos under the pretrained MobileNetV2, and a small synthetic encoder
 * that runs in seconds) it records the similarity of every mask once — a ground truth of 30 000 balanced masks,
 * and 3000 masks of each design for each seed — caching them outside the repository
 * ({@code $RELAX4J_CACHE/quality} or {@code ~/.cache/relax4j/quality}), so a rerun costs no encoder pass. From the
 * recordings it computes, per design and seed: the relative L2 error of the centred importance map against the
 * ground truth after n passes, the error estimate and its bound, the passes needed to reach the i.i.d. design's
 * error at 3000, and adaptive runs ({@link RelaxConfig.Builder#targetError}) replayed through {@link Relax} itself
 * against an oracle that knows the true error. Prints Markdown tables and writes {@code quality.png} (error vs
 * passes, log–log, median over seeds with a min–max band) and {@code quality.md} into {@code --out}.
 *
 * <p>Options: {@code --seeds N} (default 3; the synthetic subject uses 10×), {@code --truth N} (30000),
 * {@code --synthetic-only}, {@code --photos DIR} (every image in DIR instead of the synthetic subject and the three
 * samples, e.g. the set {@code samples/fetch-gallery.sh} builds), {@code --out DIR} (relax-bench/target/quality),
 * {@code --threads N}. The report is rewritten after every subject, so a long run that is stopped keeps the tables of
 * the subjects it finished, and a rerun records only the photos not yet in the cache.
 */
public final class QualityBench {
    /** The i.i.d. design's reference mask count: the reference's default. */
    static final int REFERENCE_PASSES = 3000;
    /**
     * Where maps are compared: whole balanced blocks (128 masks for 7 cells), since a balanced map is only as good as
     * its last whole block; the last checkpoint is {@link #REFERENCE_PASSES} for the random design and the next whole
     * block, 3072, for the balanced one.
     */
    static final int[] CHECKPOINTS = {128, 256, 384, 512, 640, 768, 896, 1024, 1280, 1536, 2048, 2560, 3072};

    /** The checkpoints of a design: {@link #CHECKPOINTS}, ending at 3000 for the random design. */
    static int[] checkpoints(MaskDesign d) {
        int[] c = CHECKPOINTS.clone();
        if (d == MaskDesign.RANDOM) {
            c[c.length - 1] = REFERENCE_PASSES;
        }
        return c;
    }

    /** Masks recorded per run of a design: its last checkpoint. */
    static int maxPasses(MaskDesign d) {
        int[] c = checkpoints(d);
        return c[c.length - 1];
    }
    private static final long TRUTH_SEED = 1_000_003L;
    /** Part of every cached recording's name: bump it when a design's masks change, so old recordings are not reused. */
    static final String CACHE_VERSION = "v2";

    private final PrintStream log = System.err;
    private final Map<String, double[]> controlVariateRuns = new HashMap<>();
    private final Path cache;
    private final int threads;

    QualityBench(Path cache, int threads) {
        this.cache = cache;
        this.threads = threads;
    }

    /** What is explained: an input, an encoder, and a name for the cache. */
    record Subject(String name, InputTensor input, Encoder encoder, int seeds) {
    }

    /** A mask design with an importance estimator; both estimators use the same recorded similarities. */
    record Variant(MaskDesign design, ImportanceEstimator estimator) {
        static final List<Variant> ALL = List.of(new Variant(MaskDesign.RANDOM, ImportanceEstimator.RATIO),
                new Variant(MaskDesign.BALANCED, ImportanceEstimator.RATIO),
                new Variant(MaskDesign.RANDOM, ImportanceEstimator.CONTROL_VARIATE),
                new Variant(MaskDesign.BALANCED, ImportanceEstimator.CONTROL_VARIATE));

        String label() {
            return design.id() + (estimator == ImportanceEstimator.RATIO ? "" : " + control variate");
        }
    }

    /**
     * One variant's run at one seed, at each checkpoint: the importance's error, its estimate and bound, the
     * uncertainty's error (relative L2 distance of the centred variance map U/W to the ground truth's) and U-RELAX's
     * agreement (Jaccard index of the "certain" pixels, U at most its median, with the ground truth's). The estimator
     * changes the importance only, so both estimators of a design and seed share the last two.
     */
    record Curve(Variant variant, long seed, double[] error, double[] estimate, double[] bound,
                 double[] uncertaintyError, double[] uRelaxAgreement) {
        MaskDesign design() {
            return variant.design();
        }
    }

    /** An adaptive run replayed through Relax, and what an oracle would have needed. */
    record Adaptive(Variant variant, long seed, double target, long used, double trueError, long oracle) {
    }

    /**
     * A subject's results; {@code truthError} is the ground truth's own estimated relative error (it has finitely many
     * masks too), which a run's distance to it includes.
     */
    record Result(Subject subject, double iid3000, double truthError, List<Curve> curves, List<Adaptive> adaptive) {
    }

    public static void main(String[] args) throws Exception {
        int seeds = 3;
        int truth = 30_000;
        boolean syntheticOnly = false;
        Path photos = null;
        Path out = Path.of("relax-bench/target/quality");
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--truth" -> truth = Integer.parseInt(args[++i]);
                case "--synthetic-only" -> syntheticOnly = true;
                case "--photos" -> photos = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --seeds N --truth N --synthetic-only --photos DIR --out DIR --threads N");
            }
        }
        Path cacheRoot = PretrainedModels.defaultCacheDir();
        QualityBench bench = new QualityBench(cacheRoot.resolve("quality"), threads);
        Files.createDirectories(bench.cache);
        Files.createDirectories(out);
        List<Result> results = new ArrayList<>();
        InputTensor chelsea = Images.readImageNet(Path.of("samples/chelsea.png"), 224);
        if (photos == null) {
            results.add(bench.run(new Subject("synthetic", chelsea, SyntheticEncoder.create(chelsea, 7), 10 * seeds),
                    truth));
            bench.report(results, truth, out);
        }
        if (!syntheticOnly) {
            try (var model = PretrainedModels.openMobileNetV2(cacheRoot, threads, bench.log::println)) {
                for (Path image : photos(photos)) {
                    InputTensor x = Images.readImageNet(image, 224);
                    String name = image.getFileName().toString().replaceFirst("\\.[^.]+$", "");
                    results.add(bench.run(new Subject("mobilenet-v2-" + name, x, model, seeds), truth));
                    bench.report(results, truth, out);
                }
            }
        }
        System.out.println(QualityReport.markdown(results, truth));
    }

    /** Writes the report of the subjects finished so far (whole files: a stopped run leaves a readable report). */
    void report(List<Result> results, int truth, Path out) throws IOException {
        Path md = out.resolve("quality.md");
        Path tmp = out.resolve("quality.md.tmp");
        Files.writeString(tmp, QualityReport.markdown(results, truth));
        Files.move(tmp, md, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        QualityReport.plot(results, out.resolve("quality.png"));
        log.println("wrote " + md + " and " + out.resolve("quality.png") + " (" + results.size() + " subjects)");
    }

    /** The photos: every PNG or JPEG in {@code dir} by name, or the three samples when none is given. */
    static List<Path> photos(Path dir) throws IOException {
        if (dir == null) {
            return List.of(Path.of("samples/chelsea.png"), Path.of("samples/coffee.png"),
                    Path.of("samples/astronaut.png"));
        }
        try (var files = Files.list(dir)) {
            List<Path> out = files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(png|jpe?g)")).sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalArgumentException("--photos " + dir + " holds no PNG or JPEG image");
            }
            return out;
        }
    }

    Result run(Subject s, int truthMasks) throws IOException {
        log.println("== " + s.name());
        float[] truthSims = similarities(s, MaskDesign.BALANCED, TRUTH_SEED, truthMasks);
        double[][] truthMap = new double[3][];
        ErrorEstimate[] truthEstimate = new ErrorEstimate[1];
        prefixes(s, MaskDesign.BALANCED, TRUTH_SEED, truthSims, new int[] {truthMasks}, truthEstimate,
                (c, map, variance, u) -> {
                    truthMap[0] = map.clone();
                    truthMap[1] = variance.clone();
                    truthMap[2] = u.clone();
                });
        double[] truth = truthMap[0];
        double[] truthVariance = truthMap[1];
        boolean[] truthCertain = certain(truthMap[2]);
        List<Curve> curves = new ArrayList<>();
        Map<MaskDesign, float[][]> sims = new LinkedHashMap<>();
        for (MaskDesign d : MaskDesign.values()) {
            float[][] perSeed = new float[s.seeds()][];
            for (int k = 0; k < s.seeds(); k++) {
                perSeed[k] = similarities(s, d, k, maxPasses(d));
                ErrorEstimate[] est = new ErrorEstimate[CHECKPOINTS.length];
                double[] error = new double[CHECKPOINTS.length];
                double[] uError = new double[CHECKPOINTS.length];
                double[] agreement = new double[CHECKPOINTS.length];
                prefixes(s, d, k, perSeed[k], checkpoints(d), est, (c, map, variance, u) -> {
                    error[c] = relativeError(map, truth);
                    uError[c] = relativeError(variance, truthVariance);
                    agreement[c] = jaccard(certain(u), truthCertain);
                });
                double[] estimate = new double[CHECKPOINTS.length];
                double[] bound = new double[CHECKPOINTS.length];
                for (int c = 0; c < CHECKPOINTS.length; c++) {
                    estimate[c] = est[c].relativeError();
                    bound[c] = est[c].bound();
                }
                curves.add(new Curve(new Variant(d, ImportanceEstimator.RATIO), k, error, estimate, bound, uError,
                        agreement));
                curves.add(controlVariateCurve(s, d, k, perSeed[k], truth, uError, agreement));
            }
            sims.put(d, perSeed);
        }
        double iid3000 = median(curves.stream().filter(c -> c.variant().equals(Variant.ALL.get(0)))
                .mapToDouble(c -> c.error()[CHECKPOINTS.length - 1]).toArray());
        List<Adaptive> adaptive = new ArrayList<>();
        for (double target : new double[] {iid3000, 1.5 * iid3000}) {
            for (Variant v : Variant.ALL) {
                float[][] perSeed = sims.get(v.design());
                for (int k = 0; k < perSeed.length; k++) {
                    adaptive.add(adaptive(s, v, k, perSeed[k], target, truth));
                }
            }
        }
        return new Result(s, iid3000, truthEstimate[0].relativeError(), curves, adaptive);
    }

    /** The similarity of masks [0, n) of (design, seed), recorded once and cached. */
    float[] similarities(Subject s, MaskDesign design, long seed, int n) throws IOException {
        Path file = cache.resolve(s.name() + "-" + design.id() + "-" + CACHE_VERSION + "-s" + seed + "-n" + n + ".f32");
        if (Files.isRegularFile(file) && Files.size(file) == 4L * n) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[n];
            b.asFloatBuffer().get(f);
            return f;
        }
        long t0 = System.nanoTime();
        RelaxConfig c = RelaxConfig.builder().design(design).seed(seed).masks(n).threads(threads).build();
        float[] all = new float[(int) c.masksToRun()];
        ProgressListener recorder = new ProgressListener() {
            @Override
            public void onProgress(org.relax4j.Progress progress) {
            }

            @Override
            public void onBatch(long firstMask, int count, float[] similarities) {
                System.arraycopy(similarities, 0, all, (int) firstMask, count);
            }
        };
        try (Relax relax = new Relax(c)) {
            relax.explain(s.input(), s.encoder(), Target.unmasked(), recorder, null);
        }
        float[] f = Arrays.copyOf(all, n);
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, b.array());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        log.printf(Locale.ROOT, "recorded %s %s seed %d: %d passes in %.0f s%n", s.name(), design.id(), seed, n,
                (System.nanoTime() - t0) / 1e9);
        return f;
    }

    /**
     * The importance map (the ratio estimator Σ s·m / Σ m, in double) after each checkpoint's number of masks.
     * Equal to RELAX's float32 streaming result to about 1e-6 relative, far below the errors measured here.
     */
    double[][] prefixMaps(Subject s, MaskDesign design, long seed, float[] sims, int[] checkpoints) {
        double[][] out = new double[checkpoints.length][];
        prefixes(s, design, seed, sims, checkpoints, null, (c, map, variance, u) -> out[c] = map.clone());
        return out;
    }

    /** {@return RELAX's uncertainty U after {@code n} masks, as the prefixes compute it} */
    double[] prefixUncertainty(Subject s, MaskDesign design, long seed, float[] sims, int n) {
        double[][] out = new double[1][];
        prefixes(s, design, seed, sims, new int[] {n}, null, (c, map, variance, u) -> out[0] = u.clone());
        return out[0];
    }

    /** U-RELAX's "certain" pixels: uncertainty at most its lower median, the rule of {@code URelax}. */
    static boolean[] certain(double[] u) {
        float[] f = new float[u.length];
        for (int p = 0; p < u.length; p++) {
            f[p] = (float) u[p];
        }
        float median = org.relax4j.internal.URelax.lowerMedian(f);
        boolean[] out = new boolean[u.length];
        for (int p = 0; p < u.length; p++) {
            out[p] = f[p] <= median;
        }
        return out;
    }

    /** |A ∩ B| / |A ∪ B|. */
    static double jaccard(boolean[] a, boolean[] b) {
        int both = 0;
        int either = 0;
        for (int p = 0; p < a.length; p++) {
            both += a[p] && b[p] ? 1 : 0;
            either += a[p] || b[p] ? 1 : 0;
        }
        return either == 0 ? 1 : both / (double) either;
    }

    /** The relative error against {@code truth} after each checkpoint's number of masks (and estimates, if given). */
    double[] prefixErrors(Subject s, MaskDesign design, long seed, float[] sims, int[] checkpoints, double[] truth,
                          ErrorEstimate[] estimates) {
        double[] out = new double[checkpoints.length];
        prefixes(s, design, seed, sims, checkpoints, estimates,
                (c, map, variance, u) -> out[c] = relativeError(map, truth));
        return out;
    }

    /** Receives, at each checkpoint, the importance, the weighted variance U/W and RELAX's uncertainty U. */
    private interface Checkpoint {
        void at(int checkpoint, double[] map, double[] variance, double[] u);
    }

    private void prefixes(Subject s, MaskDesign design, long seed, float[] sims, int[] checkpoints,
                          ErrorEstimate[] estimates, Checkpoint sink) {
        MaskSource masks = design.source(seed, RelaxConfig.DEFAULT_CELLS, RelaxConfig.DEFAULT_KEEP_PROBABILITY);
        int h = s.input().height();
        int w = s.input().width();
        MaskGeometry g = (MaskGeometry) MaskDomain.of(new int[] {h, w}, masks).renderer(); // the image fast path
        BlockErrorEstimator est = estimates == null ? null
                : new BlockErrorEstimator(h, w, BlockErrorEstimator.blockSizeFor(masks), masks.cells(),
                        RelaxConfig.DEFAULT_CONFIDENCE);
        double[] sumS = new double[h * w];
        double[] sumS2 = new double[h * w];
        double[] sumM = new double[h * w];
        double[] map = new double[h * w];
        double[] variance = new double[h * w];
        double[] u = new double[h * w];
        byte[] grid = new byte[masks.cells() * masks.cells()];
        int[] shift = new int[2];
        float[] mask = new float[h * w];
        int c = 0;
        for (int n = 0; n < checkpoints[checkpoints.length - 1]; n++) {
            masks.draw(n, grid, 0, shift, 0);
            g.render(grid, 0, shift[0], shift[1], mask, 0);
            float sim = sims[n];
            for (int p = 0; p < mask.length; p++) {
                sumS[p] += (double) sim * mask[p];
                sumS2[p] += (double) sim * sim * mask[p];
                sumM[p] += mask[p];
            }
            if (est != null) {
                est.add(n, mask, 0, sim);
            }
            if (n + 1 == checkpoints[c]) {
                for (int p = 0; p < map.length; p++) {
                    map[p] = sumS[p] / (1e-10 + sumM[p]);
                    // U = Σ m (s − R)² = Σ m s² − W R² (the reference's uncertainty, not divided by W).
                    u[p] = Math.max(0, sumS2[p] - sumM[p] * map[p] * map[p]);
                    variance[p] = u[p] / (1e-10 + sumM[p]);
                }
                sink.at(c, map, variance, u);
                if (est != null) {
                    if (c == checkpoints.length - 1) {
                        est.finish();
                    }
                    estimates[c] = est.estimate();
                }
                c++;
            }
        }
    }

    /**
     * The control-variate estimator on the same recorded similarities: {@link Relax#replay} of each checkpoint's
     * prefix (the replay runs the same estimator code as an explanation).
     */
    Curve controlVariateCurve(Subject s, MaskDesign design, long seed, float[] sims, double[] truth,
                              double[] uncertaintyError, double[] uRelaxAgreement) {
        int[] points = checkpoints(design);
        double[] error = new double[points.length];
        double[] estimate = new double[points.length];
        double[] bound = new double[points.length];
        for (int k = 0; k < points.length; k++) {
            double[] r = controlVariatePrefix(s, design, seed, sims, points[k], truth);
            error[k] = r[0];
            estimate[k] = r[1];
            bound[k] = r[2];
        }
        return new Curve(new Variant(design, ImportanceEstimator.CONTROL_VARIATE), seed, error, estimate, bound,
                uncertaintyError, uRelaxAgreement);
    }

    /**
     * The control variate after {@code passes} masks of (design, seed): its error against the truth, its estimated
     * error and bound. Each prefix is a replay of its own, made once (curves and oracles ask for the same ones).
     */
    double[] controlVariatePrefix(Subject s, MaskDesign design, long seed, float[] sims, int passes, double[] truth) {
        String key = s.name() + "/" + design.id() + "/" + seed + "/" + passes;
        double[] known = controlVariateRuns.get(key);
        if (known != null) {
            return known;
        }
        RelaxConfig c = RelaxConfig.builder().design(design).seed(seed).estimator(ImportanceEstimator.CONTROL_VARIATE)
                .threads(threads).build();
        double[] r;
        try (Relax relax = new Relax(c)) {
            Explanation e = relax.replay(s.input().height(), s.input().width(), Arrays.copyOf(sims, passes));
            r = new double[] {relativeError(toDouble(e.importance().values()), truth), e.error().relativeError(),
                e.error().bound()};
        }
        controlVariateRuns.put(key, r);
        return r;
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int p = 0; p < v.length; p++) {
            d[p] = v[p];
        }
        return d;
    }

    /** An adaptive run through {@link Relax} with the recorded similarities, and the oracle's passes. */
    Adaptive adaptive(Subject s, Variant variant, long seed, float[] sims, double target, double[] truth) {
        MaskDesign design = variant.design();
        RelaxConfig c = RelaxConfig.builder().design(design).seed(seed).masks(maxPasses(design)).targetError(target)
                .estimator(variant.estimator()).similarity(ReplayedSimilarities.PRODUCT).threads(threads).build();
        Explanation e;
        try (Relax relax = new Relax(c)) {
            e = relax.explain(s.input(), new ReplayedSimilarities(sims));
        }
        double[] map = toDouble(e.importance().values());
        // The oracle: the fewest passes, at the same block granularity, whose map is within the target.
        // The control variate's oracle is checked every 128 masks (each check replays the whole prefix).
        int block = variant.estimator() == ImportanceEstimator.RATIO ? BlockErrorEstimator.blockSizeFor(c.maskSource())
                : 128;
        int[] points = new int[maxPasses(design) / block];
        for (int k = 0; k < points.length; k++) {
            points[k] = (k + 1) * block;
        }
        long oracle = -1;
        if (variant.estimator() == ImportanceEstimator.RATIO) {
            double[] errors = prefixErrors(s, design, seed, sims, points, truth, null);
            for (int k = 0; k < errors.length && oracle < 0; k++) {
                oracle = errors[k] <= target ? points[k] : -1;
            }
        } else {
            // Each control-variate prefix is a replay of its own: scan upwards and stop at the first within target.
            for (int k = 0; k < points.length && oracle < 0; k++) {
                oracle = controlVariatePrefix(s, design, seed, sims, points[k], truth)[0] <= target ? points[k] : -1;
            }
        }
        return new Adaptive(variant, seed, target, e.masksUsed(), relativeError(map, truth), oracle);
    }

    /** Relative L2 distance of centred maps, ‖(x − x̄) − (g − ḡ)‖ / ‖g − ḡ‖. */
    static double relativeError(double[] x, double[] g) {
        double mx = Arrays.stream(x).average().orElse(0);
        double mg = Arrays.stream(g).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int p = 0; p < x.length; p++) {
            double d = (x[p] - mx) - (g[p] - mg);
            num += d * d;
            den += (g[p] - mg) * (g[p] - mg);
        }
        return Math.sqrt(num / den);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * Plays recorded similarities back as an encoder: the unmasked input gets [1], mask n gets [s_n], and the
     * similarity is the product, so Relax sees exactly the recorded similarities in mask order.
     */
    static final class ReplayedSimilarities implements Encoder {
        static final Similarity PRODUCT = (a, ao, b, bo, dim) -> a[ao] * b[bo];
        private final float[] sims;
        private int next = -1;

        ReplayedSimilarities(float[] sims) {
            this.sims = sims;
        }

        @Override
        public Embeddings encode(org.relax4j.data.InputBatch batch) {
            float[] out = new float[batch.size()];
            for (int b = 0; b < out.length; b++) {
                out[b] = next < 0 ? 1f : sims[next];
                next++;
            }
            return new Embeddings(out.length, 1, out);
        }
    }
}
