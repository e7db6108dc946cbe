package org.relax4j.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.relax4j.image.Normalization;

/**
 * What identifies a model in an explanation's provenance, the same for every entry point (the command line, Spark,
 * the Java API): its name, where it came from, the file, the input and output used, the input layout, the pixel
 * space it takes and the dimension of its representation. Unknown parts are null (0 for the dimension) and left out
 * of {@link #toMap()}. Immutable.
 *
 * @param name the model's name, e.g. {@code mobilenet-v2} or the file's name
 * @param source where the model came from (a package and version, a conversion), or null
 * @param file the model file's absolute path, or null
 * @param input the input fed, or null
 * @param output the output explained, or null
 * @param layout the input's layout, or null
 * @param pixels the pixel space the model takes, or null
 * @param dimension the representation's length, or 0 if not known before the first call
 */
public record ModelDescriptor(String name, String source, String file, String input, String output, Layout layout,
                              Normalization pixels, int dimension) {
    /** Checks that there is a name. */
    public ModelDescriptor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a model needs a name");
        }
        if (dimension < 0) {
            throw new IllegalArgumentException("dimension must be >= 0, got " + dimension);
        }
    }

    /** {@return the same model with a known representation dimension} */
    public ModelDescriptor withDimension(int dimension) {
        return new ModelDescriptor(name, source, file, input, output, layout, pixels, dimension);
    }

    /**
     * The descriptor as provenance records it ({@code model} in summary.json): the known parts, in the components'
     * order, the layout and pixel space by name.
     *
     * @return a new ordered map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        putIfKnown(m, "source", source);
        putIfKnown(m, "file", file);
        putIfKnown(m, "input", input);
        putIfKnown(m, "output", output);
        putIfKnown(m, "layout", layout == null ? null : layout.name());
        putIfKnown(m, "pixels", pixels == null ? null : pixels.toString());
        if (dimension > 0) {
            m.put("dimension", dimension);
        }
        return m;
    }

    /** {@return one line for a person: the name, with the dimension or the input and output when known} */
    public String summary() {
        if (dimension > 0) {
            return name + " (" + dimension + "-d embedding)";
        }
        return name + (input != null || output != null ? " (input " + input + ", output " + output + ")" : "");
    }

    private static void putIfKnown(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }
}
