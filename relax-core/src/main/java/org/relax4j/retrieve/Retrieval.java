package org.relax4j.retrieve;

import java.util.Objects;
import org.relax4j.CancellationToken;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.Target;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;

/**
 * Why did a search return this result? Two match explanations of one query–result pair: which regions of the query
 * make its representation resemble the result's ({@code explain(query, target = result)}), and which regions of the
 * result make it resemble the query's ({@code explain(result, target = query)}, the same as
 * {@code relax explain RESULT --target QUERY}). Stateless.
 */
public final class Retrieval {

    /**
     * A hit explained both ways.
     *
     * @param hit the search result
     * @param query the query's map: what in the query resembles the result
     * @param result the result's map: what in the result resembles the query
     */
    public record Pair(Gallery.Hit hit, Explanation query, Explanation result) {
    }

    private Retrieval() {
    }

    /**
     * {@return the representation of one input, as the gallery and the explanations compute it}
     *
     * @param encoder the model
     * @param input the model's input
     */
    public static float[] representation(Encoder encoder, InputTensor input) {
        return encoder.encode(InputBatch.of(input)).row(0);
    }

    /**
     * Explains one hit both ways, with {@code relax}'s settings.
     *
     * @param relax the explainer (its configuration: masks, design, target error, ...)
     * @param encoder the gallery's model
     * @param query the query as the model's input
     * @param result the hit's image as the model's input, same shape
     * @param hit the hit
     * @param listener progress of each explanation in turn
     * @param token stops the explanations
     * @return the pair
     */
    public static Pair explain(Relax relax, Encoder encoder, InputTensor query, InputTensor result, Gallery.Hit hit,
                               ProgressListener listener, CancellationToken token) {
        Objects.requireNonNull(hit, "hit");
        Explanation q = relax.explain(query, encoder, Target.input(result), listener, token);
        Explanation r = relax.explain(result, encoder, Target.input(query), listener, token);
        return new Pair(hit, q, r);
    }
}
