package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.relax4j.Json;
import org.relax4j.data.PixelMap;
import org.relax4j.image.Npy;

/**
 * The viewer in a real headless Chromium (Debian's chromium and chromium-driver): upload, watch it finish, then check
 * the rendered map's colours and the values under the pointer against the API's own files. In CI (CI=true) a missing
 * browser fails the test instead of skipping it.
 */
class ViewerBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path tmp;

    static Served server;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI needs chromium and chromium-driver (apt-get install chromium chromium-driver;"
                    + " .ci/run installs them)");
        }
        Assumptions.assumeTrue(present, "no chromium / chromedriver on this machine");
        server = new Served("--design", "balanced", "--seed", "3", "-q");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1400");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .withLogFile(tmp.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static WebElement $(String id) {
        return browser.findElement(By.id(id));
    }

    /** Uploads, explains, and waits until the page says done (or fails with what it says instead). */
    private static String explain(Path image, Path target, int masks) {
        browser.get(server.running.url());
        $("image").sendKeys(image.toAbsolutePath().normalize().toString());
        if (target != null) {
            $("target").sendKeys(target.toAbsolutePath().normalize().toString());
        }
        $("masks").sendKeys(String.valueOf(masks));
        $("explain").click();
        new WebDriverWait(browser, Duration.ofSeconds(120)).until(d -> {
            String status = $("status").getText();
            assertFalse(status.startsWith("failed"), status);
            return status.equals("done");
        });
        return $("result-id").getText();
    }

    private static PixelMap apiMap(String id, String name) throws Exception {
        Path f = tmp.resolve(id + "-" + name + ".npy");
        Files.write(f, server.bytes("/results/" + id + "/" + name + ".npy").body());
        return Npy.read(f);
    }

    /** Moves the pointer over map pixel (x, y) of the 224 x 224 map drawn 448 x 448, and reads the page's value. */
    private static double valueUnderPointer(int x, int y, PixelMap map) {
        WebElement canvas = $("view");
        int content = ((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.getElementById('view').clientWidth")).intValue();
        int border = (canvas.getSize().getWidth() - content) / 2;
        int scale = content / map.width();
        // Selenium's offsets are from the centre of the element's border box
        int centre = canvas.getSize().getWidth() / 2 - border;
        new Actions(browser).moveToElement(canvas, scale * x + scale / 2 - centre, scale * y + scale / 2 - centre)
                .perform();
        WebElement value = $("value");
        assertEquals(String.valueOf(x), value.getDomAttribute("data-x"));
        assertEquals(String.valueOf(y), value.getDomAttribute("data-y"));
        return Double.parseDouble(value.getDomAttribute("data-value"));
    }

    @SuppressWarnings("unchecked")
    private static List<Long> pixel(int x, int y) {
        return (List<Long>) ((JavascriptExecutor) browser).executeScript(
                "const d = document.getElementById('view').getContext('2d').getImageData(arguments[0], arguments[1], 1, 1)"
                        + ".data; return [d[0], d[1], d[2]];", x, y);
    }

    private static int argExtreme(PixelMap m, boolean max) {
        float[] v = m.values();
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (max ? v[i] > v[best] : v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void showsTheApisMapsAndValuesUnderThePointer() throws Exception {
        String id = explain(ServeCommandTest.CHELSEA, null, 256);
        // What the page looked like (target/viewer.png; the README's picture comes from here).
        Files.write(Path.of("target", "viewer.png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        PixelMap importance = apiMap(id, "importance");
        for (int[] p : new int[][] {{10, 20}, {112, 112}, {200, 37}, {223, 223}}) {
            assertEquals(importance.get(p[1], p[0]), (float) valueUnderPointer(p[0], p[1], importance),
                    "importance at " + p[0] + ", " + p[1]);
        }
        assertEquals("importance", $("view").getDomAttribute("data-rendered"));

        // At full opacity the hottest pixel is the ramp's top colour and the coldest its bottom.
        ((JavascriptExecutor) browser).executeScript("const o = document.getElementById('opacity'); o.value = 1;"
                + "o.dispatchEvent(new Event('input'));");
        int hot = argExtreme(importance, true);
        int cold = argExtreme(importance, false);
        assertEquals(List.of(253L, 231L, 37L), pixel(hot % 224, hot / 224), "hottest pixel");
        assertEquals(List.of(68L, 1L, 84L), pixel(cold % 224, cold / 224), "coldest pixel");

        new Select($("map")).selectByValue("u_relax");
        assertEquals("u_relax", $("view").getDomAttribute("data-rendered"));
        PixelMap uRelax = apiMap(id, "u_relax");
        assertEquals(uRelax.get(150, 60), (float) valueUnderPointer(60, 150, uRelax));
        new Select($("map")).selectByValue("standard_error");
        PixelMap se = apiMap(id, "standard_error");
        assertEquals(se.get(5, 100), (float) valueUnderPointer(100, 5, se));

        Map<String, Object> summary = Json.readObject(server.get("/results/" + id + "/summary.json").body());
        List<WebElement> links = browser.findElements(By.cssSelector("#downloads a"));
        assertTrue(links.size() >= 12, "a download link per file: " + links.size());
        assertTrue(browser.findElement(By.id("summary")).getText().contains("masks used "
                + summary.get("masksUsed")), browser.findElement(By.id("summary")).getText());
    }

    @Test
    void showsAMatchBesideItsTarget() throws Exception {
        Path coffee = ServeCommandTest.CHELSEA.resolveSibling("coffee.png");
        String id = explain(ServeCommandTest.CHELSEA, coffee, 128);
        assertTrue($("targetFigure").isDisplayed(), "the target beside the map");
        Map<String, Object> summary = Json.readObject(server.get("/results/" + id + "/summary.json").body());
        assertEquals("coffee.png", summary.get("targetImage"));
        assertTrue($("summary").getText().contains(String.format(java.util.Locale.ROOT, "similarity to the target %.3f",
                ((Number) summary.get("targetSimilarity")).doubleValue())), $("summary").getText());
        PixelMap importance = apiMap(id, "importance");
        assertEquals(importance.get(70, 180), (float) valueUnderPointer(180, 70, importance));
    }

    static {
        // Selenium must not look for drivers on the network: these machines have none, and CI uses Debian's.
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    }
}
