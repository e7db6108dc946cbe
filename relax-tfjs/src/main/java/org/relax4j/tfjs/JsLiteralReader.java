package org.relax4j.tfjs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tolerant reader for JSON and for the JavaScript object literals that minifiers emit.
 *
 * <p>Accepted beyond strict JSON: unquoted (identifier or numeric) and single-quoted keys, single-quoted strings,
 * numbers such as {@code -.118}, {@code 5.}, {@code +1}, {@code 0x1F}, {@code 1e-5}, the minified booleans
 * {@code !0} (true) and {@code !1} (false), {@code undefined} and {@code void 0} (null), {@code NaN},
 * {@code Infinity}, trailing commas, and comments. String escapes include {@code \xHH}, {@code \\uHHHH},
 * {@code \\u{H...}} and line continuations.
 *
 * <p>Values come back as {@link Map} (insertion-ordered, {@code String} keys), {@link List}, {@link String},
 * {@link Double}, {@link Boolean}, or {@code null}. Not thread safe; one instance reads one text.
 */
final class JsLiteralReader {
    private final String text;
    private int pos;

    private JsLiteralReader(String text, int pos) {
        this.text = text;
        this.pos = pos;
    }

    /** Parses a whole text that holds exactly one value (surrounding whitespace, comments and a {@code ;} allowed). */
    static Object parse(String text) {
        JsLiteralReader r = new JsLiteralReader(text, 0);
        Object value = r.value();
        r.skipSpace();
        if (r.pos < text.length() && text.charAt(r.pos) == ';') {
            r.pos++;
            r.skipSpace();
        }
        if (r.pos != text.length()) {
            throw r.error("unexpected text after the value");
        }
        return value;
    }

    /** Parses the one value that starts at {@code start} and ignores whatever follows it. */
    static Object parseAt(String text, int start) {
        return new JsLiteralReader(text, start).value();
    }

    /**
     * Reads the value a UMD/CommonJS module exports: the literal after the last {@code exports=} in the text
     * (as in {@code e.exports={format:"graph-model",...}} or {@code m.exports="base64..."}).
     *
     * @param source the module's source, used in messages
     * @throws IllegalArgumentException if there is no {@code exports=} or no literal after it
     */
    static Object parseModuleExports(String text, String source) {
        int at = -1;
        int from = text.length();
        while (true) {
            int i = text.lastIndexOf("exports=", from);
            if (i < 0) {
                break;
            }
            int v = i + "exports=".length();
            while (v < text.length() && Character.isWhitespace(text.charAt(v))) {
                v++;
            }
            if (v < text.length() && "{[\"'".indexOf(text.charAt(v)) >= 0) {
                at = v;
                break;
            }
            from = i - 1;
        }
        if (at < 0) {
            throw new IllegalArgumentException(source + ": no 'exports=' followed by an object, array or string literal");
        }
        try {
            return parseAt(text, at);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private Object value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end of text, expected a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
            case '\'':
                return string();
            case '!':
                return bang();
            default:
                break;
        }
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
            return number();
        }
        if (isIdentStart(c)) {
            String word = identifier();
            switch (word) {
                case "true":
                    return Boolean.TRUE;
                case "false":
                    return Boolean.FALSE;
                case "null":
                case "undefined":
                    return null;
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "void":
                    skipSpace();
                    number();
                    return null;
                default:
                    pos -= word.length();
                    throw error("unsupported identifier '" + word + "' where a value was expected");
            }
        }
        throw error("unexpected character '" + c + "'");
    }

    private Map<String, Object> object() {
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            String key = key();
            skipSpace();
            expect(':');
            Object v = value();
            map.put(key, v);
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return map;
            } else {
                throw error("expected ',' or '}' in object");
            }
        }
    }

    private String key() {
        char c = peek();
        if (c == '"' || c == '\'') {
            return string();
        }
        if (isIdentStart(c)) {
            return identifier();
        }
        if (c == '-' || c == '.' || (c >= '0' && c <= '9')) {
            double d = number();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        throw error("expected a key in object");
    }

    private List<Object> array() {
        pos++; // '['
        List<Object> list = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            list.add(value());
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return list;
            } else {
                throw error("expected ',' or ']' in array");
            }
        }
    }

    private Boolean bang() {
        pos++; // '!'
        skipSpace();
        char c = peek();
        if (c == '0' || c == '1') {
            pos++;
            return c == '0';
        }
        throw error("expected !0 or !1");
    }

    private String string() {
        char quote = text.charAt(pos++);
        int start = pos;
        // Fast path: no escapes.
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return text.substring(start, pos - 1);
            }
            if (c == '\\') {
                break;
            }
            if (c == '\n') {
                throw error("unterminated string");
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(text.length() - start < 64 ? 16 : 64);
        sb.append(text, start, pos);
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\n') {
                pos--;
                throw error("unterminated string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                break;
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'v': sb.append('\u000B'); break;
                case '0': sb.append('\0'); break;
                case 'x': sb.append((char) hex(2)); break;
                case 'u':
                    if (peek() == '{') {
                        pos++;
                        int end = text.indexOf('}', pos);
                        if (end < 0) {
                            throw error("unterminated \\u{...} escape");
                        }
                        int cp = parseHex(pos, end);
                        pos = end + 1;
                        sb.appendCodePoint(cp);
                    } else {
                        sb.append((char) hex(4));
                    }
                    break;
                case '\r':
                    if (peek() == '\n') {
                        pos++;
                    }
                    break;
                case '\n':
                    break; // line continuation
                default:
                    sb.append(e); // \" \' \\ \/ and identity escapes
            }
        }
        throw error("unterminated string");
    }

    private int hex(int digits) {
        if (pos + digits > text.length()) {
            throw error("truncated escape");
        }
        int v = parseHex(pos, pos + digits);
        pos += digits;
        return v;
    }

    private int parseHex(int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                pos = i;
                throw error("bad hex digit in escape");
            }
            v = v * 16 + d;
        }
        return v;
    }

    private double number() {
        int start = pos;
        boolean negative = false;
        char c = peek();
        if (c == '+' || c == '-') {
            negative = c == '-';
            pos++;
        }
        if (text.startsWith("Infinity", pos)) {
            pos += "Infinity".length();
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (peek() == '0' && pos + 1 < text.length() && (text.charAt(pos + 1) == 'x' || text.charAt(pos + 1) == 'X')) {
            pos += 2;
            int digits = pos;
            while (pos < text.length() && Character.digit(text.charAt(pos), 16) >= 0) {
                pos++;
            }
            if (digits == pos) {
                throw error("bad hexadecimal number");
            }
            double v = Long.parseLong(text.substring(digits, pos), 16);
            return negative ? -v : v;
        }
        int digitsStart = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (peek() == '.') {
            pos++;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
        }
        if (pos == digitsStart || (pos == digitsStart + 1 && text.charAt(digitsStart) == '.')) {
            pos = start;
            throw error("bad number");
        }
        c = peek();
        if (c == 'e' || c == 'E') {
            int save = pos;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            int exp = pos;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            if (exp == pos) {
                pos = save;
                throw error("bad exponent in number");
            }
        }
        String s = text.substring(start, pos);
        if (s.charAt(0) == '+') {
            s = s.substring(1);
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("bad number '" + s + "'");
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && isIdentPart(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == '\uFEFF') {
                pos++;
            } else if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '/') {
                int end = text.indexOf('\n', pos);
                pos = end < 0 ? text.length() : end + 1;
            } else if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '*') {
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw error("unterminated comment");
                }
                pos = end + 2;
            } else {
                return;
            }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$';
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private IllegalArgumentException error(String what) {
        int from = Math.max(0, pos - 30);
        int to = Math.min(text.length(), pos + 30);
        String near = text.substring(from, to).replace('\n', ' ');
        return new IllegalArgumentException(what + " at offset " + pos + " near \"" + near + "\"");
    }
}
