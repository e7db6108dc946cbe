package org.relax4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes nested maps, lists, strings, numbers and booleans as indented JSON, and reads JSON back into the same kinds
 * of values: what {@link Provenance} and {@link SettingsCodec} need, without a JSON library. Non-finite numbers are
 * written as {@code null}; maps keep their iteration order, but for maps without one ({@code HashMap}, {@code Map.of}),
 * whose keys are sorted; any other object is written as its {@code toString()}.
 * Stateless and thread-safe.
 */
public final class Json {
    private Json() {
    }

    /**
     * The JSON text of {@code value}, indented by two spaces, ending in a newline.
     *
     * @param value a map, iterable, string, number, boolean or null, nested freely. Not modified.
     * @return the JSON text
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "");
        return sb.append('\n').toString();
    }

    /**
     * Whether a map's iteration order is unspecified — a {@link java.util.HashMap}, or {@code Map.of}'s, whose order
     * changes from one JVM to the next (a per-JVM hash salt). Such maps are written with their keys sorted, so the same
     * values give the same text in every process (a cache key, a file compared across machines).
     */
    private static boolean unordered(Map<?, ?> m) {
        return m.getClass() == java.util.HashMap.class
                || m.getClass().getName().startsWith("java.util.ImmutableCollections$Map");
    }

    private static void write(StringBuilder sb, Object v, String indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map<?, ?> m) {
            sb.append("{");
            Iterator<? extends Map.Entry<?, ?>> it = unordered(m)
                    ? m.entrySet().stream().sorted(java.util.Comparator.comparing(e -> String.valueOf(e.getKey())))
                    .iterator()
                    : m.entrySet().iterator();
            String inner = indent + "  ";
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                sb.append('\n').append(inner);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), inner);
                if (it.hasNext()) {
                    sb.append(',');
                }
            }
            sb.append(m.isEmpty() ? "}" : "\n" + indent + "}");
        } else if (v instanceof Iterable<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    sb.append(", ");
                }
                write(sb, o, indent);
                first = false;
            }
            sb.append(']');
        } else if (v instanceof Double || v instanceof Float) {
            // Shortest round-trip text of the value's own precision ("1.0E-10" is valid JSON); NaN has no JSON form.
            double d = ((Number) v).doubleValue();
            sb.append(!Double.isFinite(d) ? "null" : v instanceof Float f ? Float.toString(f) : Double.toString(d));
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            string(sb, v.toString());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Reads JSON text: objects become ordered maps ({@link LinkedHashMap}), arrays lists, numbers {@link Integer} or
     * {@link Long} when integral and written without a fraction or exponent, else {@link Double}; strings, booleans
     * and null as themselves.
     *
     * @param json the text; nothing but white space may follow the value
     * @return the value
     * @throws IllegalArgumentException if the text is not JSON, naming the offset
     */
    public static Object read(String json) {
        Reader r = new Reader(json);
        Object v = r.value();
        r.space();
        if (r.at < json.length()) {
            throw r.error("unexpected text after the value");
        }
        return v;
    }

    /**
     * {@link #read(String)} of a JSON object.
     *
     * @param json the text of one object
     * @return the object as an ordered map
     * @throws IllegalArgumentException if the text is not JSON or not an object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(String json) {
        Object v = read(json);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object, got " + (v == null ? "null" : v.getClass()
                    .getSimpleName()));
        }
        return (Map<String, Object>) v;
    }

    /** A recursive-descent reader over one string. */
    private static final class Reader {
        private final String s;
        private int at;

        Reader(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not valid JSON at offset " + at + ": " + what);
        }

        void space() {
            while (at < s.length() && " \t\r\n".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
        }

        Object value() {
            space();
            if (at >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, at)) {
                throw error("expected " + word);
            }
            at += word.length();
            return v;
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return m;
            }
            while (true) {
                space();
                if (at >= s.length() || s.charAt(at) != '"') {
                    throw error("expected a key");
                }
                String key = string();
                space();
                expect(':');
                m.put(key, value());
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                expect('}');
                return m;
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                expect(']');
                return list;
            }
        }

        private void expect(char c) {
            if (at >= s.length() || s.charAt(at) != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private String string() {
            at++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (at >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (at >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Number number() {
            int start = at;
            boolean integral = true;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                char c = s.charAt(at);
                integral &= c != '.' && c != 'e' && c != 'E';
                at++;
            }
            String t = s.substring(start, at);
            if (t.isEmpty()) {
                throw error("unexpected character '" + s.charAt(start) + "'");
            }
            try {
                if (integral) {
                    long v = Long.parseLong(t);
                    if (v == (int) v) { // not a conditional expression: it would promote both to Long
                        return Integer.valueOf((int) v);
                    }
                    return Long.valueOf(v);
                }
                return Double.valueOf(t);
            } catch (NumberFormatException ex) {
                throw error("bad number '" + t + "'");
            }
        }
    }
}
