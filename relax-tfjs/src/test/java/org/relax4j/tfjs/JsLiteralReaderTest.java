package org.relax4j.tfjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsLiteralReaderTest {

    @Test
    void readsMinifiedObjectLiteral() {
        Object v = JsLiteralReader.parse("{format:\"graph-model\",min:-.118,scale:.07,e:1e-5,E:-2.5E+3,t:!0,f:!1,"
                + "n:null,u:void 0,$k_1:5.,'q':'it\\'s',3:[1,[2,[3,{}]],[],],}");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals("graph-model", m.get("format"));
        assertEquals(-0.118, (Double) m.get("min"), 0);
        assertEquals(0.07, (Double) m.get("scale"), 0);
        assertEquals(1e-5, (Double) m.get("e"), 0);
        assertEquals(-2500.0, (Double) m.get("E"), 0);
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertNull(m.get("u"));
        assertEquals(5.0, (Double) m.get("$k_1"), 0);
        assertEquals("it's", m.get("q"));
        assertEquals(List.of(1.0, List.of(2.0, List.of(3.0, Map.of())), List.of()), m.get("3"));
    }

    @Test
    void decodesStringEscapes() {
        Object v = JsLiteralReader.parse("[\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\x41\\u{1F600}\", 'x\"y']");
        assertEquals(List.of("a\"b\\c/d\n\t\u00e9A\uD83D\uDE00", "x\"y"), v);
    }

    @Test
    void readsStrictJsonWithCommentsAndWhitespace() {
        Object v = JsLiteralReader.parse(" /* c */ {\"a\": [ -1 , 0.5 , true , false ] // end\n } ; ");
        assertEquals(Map.of("a", List.of(-1.0, 0.5, true, false)), v);
    }

    @Test
    void findsTheModuleExport() {
        String umd = "!function(t){if(\"object\"==typeof exports&&\"undefined\"!=typeof module)module.exports=t();"
                + "else{this.model=t()}}(function(){return function t(e){var u=a[d]={exports:{}};}({1:[function("
                + "t,e,a){e.exports={format:\"graph-model\",w:[{min:-.5,scale:.25}]}},{}]},{},[1])(1)});";
        Map<?, ?> m = (Map<?, ?>) JsLiteralReader.parseModuleExports(umd, "test.js");
        assertEquals("graph-model", m.get("format"));
        assertEquals(List.of(Map.of("min", -0.5, "scale", 0.25)), m.get("w"));
        assertEquals("QUJD", JsLiteralReader.parseModuleExports("m.exports=\"QUJD\"},{}]", "s.js"));
    }

    @Test
    void reportsWhereItFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JsLiteralReader.parse("{a:1,b:[1,2}"));
        assertTrue(e.getMessage().contains("offset 11"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsLiteralReader.parse("{a:\"unterminated}"));
        assertThrows(IllegalArgumentException.class, () -> JsLiteralReader.parse("{a:.}"));
        assertThrows(IllegalArgumentException.class, () -> JsLiteralReader.parse("{a:foo}"));
        assertThrows(IllegalArgumentException.class, () -> JsLiteralReader.parse("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> JsLiteralReader.parseModuleExports("var x=1;", "x.js"));
    }
}
