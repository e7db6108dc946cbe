package org.relax4j.spark;

import java.util.Iterator;
import java.util.Map;

/** (A copy of relax-cli's writer, so that executors need no CLI classes.) Writes nested maps, lists, strings, numbers and booleans as indented JSON (the summary needs nothing more). */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, String indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map<?, ?> m) {
            sb.append("{");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
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
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
