package org.relax4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Terminal, HTML, JSON and PNG outputs of a hand-made explanation with characters that need escaping. */
class TextOutputsTest {
    static final String TEXT = "Fish & chips <b>\"beat\"</b> café's crème brûlée";

    private final MiniLm model = TextModels.shared();

    private TextExplanation explanation(String query) {
        Words w = Words.of(model.tokenize(TEXT), Granularity.WORD);
        float[] imp = new float[w.size()];
        float[] unc = new float[w.size()];
        for (int i = 0; i < imp.length; i++) {
            imp[i] = 0.1f + 0.01f * i;
            unc[i] = 0.5f * i;
        }
        imp[0] = 0.9f; // "Fish" most important
        return new TextExplanation(w, imp, unc, 1000, 0.12, WordMasking.REMOVE, query, 0.42);
    }

    @Test
    void htmlIsWellFormedXhtmlWithEveryWordShadedAndExplainedOnHover() throws Exception {
        TextExplanation e = explanation("fish & <chips>");
        String html = HtmlPage.render(e);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        Document doc = b.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertEquals("html", doc.getDocumentElement().getLocalName());
        NodeList spans = doc.getElementsByTagName("span");
        int words = 0;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < spans.getLength(); i++) {
            Element s = (Element) spans.item(i);
            if ("w".equals(s.getAttribute("class"))) {
                assertTrue(s.getAttribute("title").matches("importance \\d\\.\\d{4}, uncertainty .+"),
                        s.getAttribute("title"));
                assertTrue(s.getAttribute("style").matches("background:#[0-9a-f]{6}"), s.getAttribute("style"));
                assertEquals(e.words().word(words), s.getFirstChild().getTextContent());
                words++;
            }
        }
        assertEquals(e.size(), words);
        Element p = (Element) doc.getElementsByTagName("p").item(0);
        // The paragraph's text, tooltips aside, is the original text.
        NodeList tips = p.getElementsByTagName("span");
        for (int i = 0; i < tips.getLength(); i++) {
            Element s = (Element) tips.item(i);
            if ("tip".equals(s.getAttribute("class"))) {
                s.setTextContent("");
            }
        }
        assertEquals(TEXT, p.getTextContent());
        assertTrue(doc.getElementsByTagName("title").item(0).getTextContent().contains("fish & <chips>"));
        assertFalse(html.contains("<b>"), "the text's markup is escaped");
        assertFalse(html.contains("src=") || html.contains("href="), "self-contained");
    }

    @Test
    void jsonHasOneEntryPerWordWithImportanceAndUncertainty() throws Exception {
        TextExplanation e = explanation(null);
        JsonNode root = new ObjectMapper().readTree(TextJson.write(e));
        assertEquals(TEXT, root.get("text").asText());
        assertTrue(root.get("query").isNull());
        assertEquals(1000, root.get("masks").asLong());
        assertEquals("remove", root.get("masking").asText());
        JsonNode words = root.get("words");
        assertEquals(e.size(), words.size());
        for (int i = 0; i < e.size(); i++) {
            JsonNode w = words.get(i);
            assertEquals(e.words().word(i), w.get("word").asText());
            assertEquals(e.importance(i), w.get("importance").floatValue());
            assertEquals(e.uncertainty(i), w.get("uncertainty").floatValue());
            assertEquals(e.words().word(i), TEXT.substring(w.get("start").asInt(), w.get("end").asInt()));
        }
    }

    @Test
    void terminalTextIsPlainWithoutColourAndShadedWithIt() {
        TextExplanation e = explanation("fish");
        String plain = AnsiText.render(e, false);
        assertFalse(plain.contains("\u001b"));
        assertTrue(plain.startsWith(TEXT + "\n"), plain);
        assertTrue(plain.contains("   1  Fish "), plain);
        String colour = AnsiText.render(e, true);
        assertTrue(colour.contains("\u001b[38;2;0;0;0;48;2;228;72;40mFish\u001b[0m"), "most important word in red");
        String stripped = colour.replaceAll("\u001b\\[[0-9;]*m", "");
        assertEquals(TEXT, stripped.lines().findFirst().orElseThrow());
    }

    @Test
    void pictureIsAPngWithTheShades(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("text.png");
        TextPicture.write(png, explanation("fish"));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(960, img.getWidth());
        boolean red = false;
        for (int y = 0; y < img.getHeight() && !red; y++) {
            for (int x = 0; x < img.getWidth() && !red; x++) {
                red = (img.getRGB(x, y) & 0xFFFFFF) == 0xE44828;
            }
        }
        assertTrue(red, "the most important word's shade appears");
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void shadesRunFromWhiteToRed() {
        assertEquals("#ffffff", Shades.hex(0f));
        assertEquals("#e44828", Shades.hex(1f));
        assertEquals("#ffffff", Shades.hex(Float.NaN));
        assertEquals("#e44828", Shades.hex(7f));
    }
}
