package org.relax4j.retrieve;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.io.Checksums;

/**
 * A folder of images embedded once, for content-based retrieval: every PNG or JPEG directly in the folder (sorted by
 * name), its representation under one encoder and preprocessing, and brute-force cosine search over them (RELAX's own cosine, float).
 *
 * <p>The embeddings are cached beside the images in {@code .relax4j-gallery-<key>.bin}, where the key is a hash of
 * what the caller says identifies the model and the preprocessing; each entry is keyed by its file's SHA-256, so a
 * rerun embeds only new or changed files (and a file renamed but unchanged is not embedded again). The cache is
 * written whole to a temporary file and moved into place; a folder that cannot be written is searched without one.
 */
public final class Gallery {
    private static final String MAGIC = "relax4j-gallery-1";
    private static final String CACHE_PREFIX = ".relax4j-gallery-";
    /** RELAX's own cosine, so a hit's similarity is the one its match explanation reports. */
    private static final Similarity COSINE = Similarity.cosine();

    /**
     * One image of the gallery.
     *
     * @param file the image
     * @param sha256 its checksum
     * @param embedding its representation
     */
    public record Entry(Path file, String sha256, float[] embedding) {
    }

    /**
     * A search result.
     *
     * @param rank 1 for the most similar
     * @param file the image
     * @param similarity its cosine similarity to the query
     */
    public record Hit(int rank, Path file, double similarity) {
    }

    private final Path dir;
    private final Path cacheFile;
    private final List<Entry> entries;
    private final int embedded;

    private Gallery(Path dir, Path cacheFile, List<Entry> entries, int embedded) {
        this.dir = dir;
        this.cacheFile = cacheFile;
        this.entries = List.copyOf(entries);
        this.embedded = embedded;
    }

    /**
     * Opens a gallery, embedding in this JVM what its cache lacks ({@link #inBatches}).
     *
     * @param dir the folder of images
     * @param key what identifies the model and the preprocessing (e.g. the model's descriptor and the image size);
     *        a different key is a different cache
     * @param loader reads an image as the encoder's input
     * @param encoder the model
     * @param batchSize images per encoder call, at least 1
     * @param log one line per batch embedded and for the cache
     * @return the gallery
     * @throws IOException if the folder cannot be listed or an image read
     * @throws IllegalArgumentException if the folder holds no PNG or JPEG image
     */
    public static Gallery open(Path dir, String key, Loader loader, Encoder encoder, int batchSize,
                               Consumer<String> log) throws IOException {
        return open(dir, key, inBatches(loader, encoder, batchSize, log), log);
    }

    /**
     * Opens a gallery, embedding what its cache lacks with {@code embedder} (in this JVM, or e.g. as a Spark job).
     *
     * @param dir the folder of images
     * @param key what identifies the model and the preprocessing; a different key is a different cache
     * @param embedder embeds the new or changed files
     * @param log lines about the cache
     * @return the gallery
     * @throws IOException if the folder cannot be listed or an image read
     * @throws IllegalArgumentException if the folder holds no PNG or JPEG image
     */
    public static Gallery open(Path dir, String key, Embedder embedder, Consumer<String> log) throws IOException {
        Objects.requireNonNull(embedder, "embedder");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no gallery folder at " + dir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(Gallery::isImage)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("the gallery " + dir + " holds no PNG or JPEG image");
        }
        Path cacheFile = dir.resolve(CACHE_PREFIX + Checksums.sha256(key.getBytes(StandardCharsets.UTF_8))
                .substring(0, 16) + ".bin");
        Map<String, float[]> cached = read(cacheFile, key, log);
        List<Entry> entries = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (Path f : files) {
            String sum = Checksums.sha256(f);
            float[] e = cached.get(sum);
            entries.add(new Entry(f, sum, e));
            if (e == null) {
                missing.add(entries.size() - 1);
            }
        }
        if (!missing.isEmpty()) {
            List<float[]> embedded = embedder.embed(missing.stream().map(k -> entries.get(k).file()).toList());
            if (embedded.size() != missing.size()) {
                throw new IllegalStateException("the embedder gave " + embedded.size() + " embeddings for "
                        + missing.size() + " files");
            }
            for (int i = 0; i < missing.size(); i++) {
                int k = missing.get(i);
                entries.set(k, new Entry(entries.get(k).file(), entries.get(k).sha256(), embedded.get(i)));
            }
        }
        if (!missing.isEmpty() || cached.size() != entries.size()) {
            write(cacheFile, key, entries, log);
        }
        log.accept("gallery: " + entries.size() + " images, " + missing.size() + " embedded, "
                + (entries.size() - missing.size()) + " from the cache " + cacheFile.getFileName());
        return new Gallery(dir, cacheFile, entries, missing.size());
    }

    /** Embeds the files a gallery's cache lacks. */
    @FunctionalInterface
    public interface Embedder {
        /**
         * @param files the images, in the gallery's order
         * @return one embedding per file, in the same order
         * @throws IOException if an image cannot be read
         */
        List<float[]> embed(List<Path> files) throws IOException;
    }

    /**
     * Embeds in this JVM: consecutive runs of {@code batchSize} files, each one encoder call. Another embedder that
     * encodes the same runs as one call each gets the same embeddings bit for bit.
     *
     * @param loader reads an image as the encoder's input
     * @param encoder the model
     * @param batchSize images per encoder call, at least 1
     * @param log one line per batch
     */
    public static Embedder inBatches(Loader loader, Encoder encoder, int batchSize, Consumer<String> log) {
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(encoder, "encoder");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        return files -> {
            List<float[]> out = new ArrayList<>(files.size());
            for (int from = 0; from < files.size(); from += batchSize) {
                out.addAll(embedBatch(files.subList(from, Math.min(files.size(), from + batchSize)), loader, encoder));
                log.accept(String.format(Locale.ROOT, "gallery: embedded %d of %d new or changed images",
                        out.size(), files.size()));
            }
            return out;
        };
    }

    /**
     * One encoder call for {@code files}: each loaded, all encoded at once.
     *
     * @throws IllegalArgumentException if the loader gives inputs of different sizes
     */
    public static List<float[]> embedBatch(List<Path> files, Loader loader, Encoder encoder) throws IOException {
        InputTensor first = loader.load(files.get(0));
        int sample = first.unsafeData().length;
        int n = files.size();
        float[] data = new float[n * sample];
        for (int b = 0; b < n; b++) {
            InputTensor x = b == 0 ? first : loader.load(files.get(b));
            if (x.unsafeData().length != sample) {
                throw new IllegalArgumentException(files.get(b) + " loads as " + x + ", the first as " + first
                        + ": the loader must give one size");
            }
            System.arraycopy(x.unsafeData(), 0, data, b * sample, sample);
        }
        Embeddings e = encoder.encode(new InputBatch(data, 0, n, first.channels(), first.shape()));
        List<float[]> out = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            out.add(e.row(b));
        }
        return out;
    }

    /** Reads an image as the encoder's input. */
    @FunctionalInterface
    public interface Loader {
        /** @param file the image @return the encoder's input @throws IOException if it cannot be read */
        InputTensor load(Path file) throws IOException;
    }

    /**
     * The loader of {@code relax retrieve} and its Spark job: the file read at {@code size} x {@code size}
     * ({@link org.relax4j.image.Images#readAtSize}) and ImageNet-normalised, as {@code relax explain} reads an image.
     * Serialisable, so it travels to executors.
     *
     * @param size the model's input size
     */
    public record ImageNetLoader(int size) implements Loader, java.io.Serializable {
        @Override
        public InputTensor load(Path file) throws IOException {
            return org.relax4j.image.Normalization.imagenet().normalize(
                    org.relax4j.image.Images.readAtSize(file, size, size));
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** {@return the images and their embeddings, sorted by file name} */
    public List<Entry> entries() {
        return entries;
    }

    /** {@return how many images were embedded when opening (the rest came from the cache)} */
    public int embedded() {
        return embedded;
    }

    /** {@return the folder} */
    public Path dir() {
        return dir;
    }

    /** {@return the cache file} */
    public Path cacheFile() {
        return cacheFile;
    }

    /**
     * The {@code k} images most similar to {@code query} by cosine similarity ({@link Similarity#cosine()}), best
     * first; ties by file name.
     *
     * @param query a representation under the gallery's model
     * @param k how many, at least 1 (fewer if the gallery is smaller)
     * @return the hits
     */
    public List<Hit> search(float[] query, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        double[] sims = new double[entries.size()];
        for (int i = 0; i < sims.length; i++) {
            float[] e = entries.get(i).embedding();
            if (e.length != query.length) {
                throw new IllegalArgumentException("the query has " + query.length + " values, the gallery's "
                        + "embeddings " + e.length);
            }
            sims[i] = COSINE.similarity(query, 0, e, 0, e.length);
        }
        Integer[] order = new Integer[sims.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Entries are sorted by name, so a stable sort breaks ties by name.
        java.util.Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
        List<Hit> hits = new ArrayList<>();
        for (int r = 0; r < Math.min(k, order.length); r++) {
            hits.add(new Hit(r + 1, entries.get(order[r]).file(), sims[order[r]]));
        }
        return hits;
    }

    private static Map<String, float[]> read(Path file, String key, Consumer<String> log) {
        Map<String, float[]> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
             DataInputStream d = new DataInputStream(in)) {
            if (!MAGIC.equals(d.readUTF()) || !key.equals(d.readUTF())) {
                log.accept("gallery: " + file.getFileName() + " is of another model or version; embedding again");
                return new HashMap<>();
            }
            int n = d.readInt();
            int dim = d.readInt();
            for (int i = 0; i < n; i++) {
                String sum = d.readUTF();
                float[] e = new float[dim];
                for (int k = 0; k < dim; k++) {
                    e[k] = d.readFloat();
                }
                out.put(sum, e);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            log.accept("gallery: cannot read " + file.getFileName() + " (" + e.getMessage() + "); embedding again");
            return new HashMap<>();
        }
    }

    private static void write(Path file, String key, List<Entry> entries, Consumer<String> log) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp));
                 DataOutputStream d = new DataOutputStream(out)) {
                d.writeUTF(MAGIC);
                d.writeUTF(key);
                d.writeInt(entries.size());
                d.writeInt(entries.get(0).embedding().length);
                for (Entry e : entries) {
                    d.writeUTF(e.sha256());
                    for (float v : e.embedding()) {
                        d.writeFloat(v);
                    }
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.accept("gallery: cannot write the cache " + file + " (" + e.getMessage() + "); going on without it");
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do: the cache is an optimisation
            }
        }
    }
}
