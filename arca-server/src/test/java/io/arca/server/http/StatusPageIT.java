package io.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.app.config.ArcaConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in headless Chromium against a server over real repositories ({@link ApiFixture}):
 * the token flow (401, prompt, data), the subjects' values, a failed run marked, and a screenshot
 * that shows the table rendered.
 */
class StatusPageIT {
    static final String READ = HttpApiIT.READ;

    @TempDir
    Path dir;
    ApiFixture fixture;
    HttpApi api;
    Browser browser;
    String base;

    @BeforeEach
    void setUp() throws IOException {
        fixture = ApiFixture.create(dir.resolve("repos"));
        Path readTokens = Files.writeString(dir.resolve("read.tokens"), READ + "\n");
        api = HttpApi.builder(fixture.config).listen("127.0.0.1:0")
                .tokens(new ArcaConfig.Tokens(readTokens.toString(), null, null, null))
                .clock(fixture.clock).refreshInterval(Duration.ZERO).build();
        api.start();
        base = "http://127.0.0.1:" + api.port() + "/";
        browser = Browser.start(Files.createDirectories(dir.resolve("profile")));
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            api.close();
        }
    }

    WebDriverWait waiting() {
        return new WebDriverWait(browser.driver, Duration.ofSeconds(20));
    }

    WebElement cell(String subject, String field) {
        return browser.driver.findElement(By.cssSelector("tr[data-subject='" + subject + "'] td[data-field='" + field
                + "']"));
    }

    @Test
    void aTokenIsAskedForThenTheSubjectsAreShown() throws IOException {
        var driver = browser.driver;
        driver.get(base);
        // the API answers 401: the page asks for a token and shows no data
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token-panel")));
        assertThat(driver.findElements(By.cssSelector("#subjects tbody tr"))).isEmpty();

        // a wrong token: asked again, saying so
        driver.findElement(By.id("token")).sendKeys("not-the-token");
        driver.findElement(By.id("token-submit")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-message"), "not accepted"));
        assertThat(driver.findElement(By.id("token-panel")).isDisplayed()).isTrue();

        driver.findElement(By.id("token")).sendKeys(READ);
        driver.findElement(By.id("token-submit")).click();
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(driver.findElement(By.id("token-panel")).isDisplayed()).isFalse();
        assertThat(driver.executeScript("return window.sessionStorage.getItem('arca.token')")).isEqualTo(READ);

        assertThat(driver.findElements(By.cssSelector("#subjects tbody tr")))
                .extracting(r -> r.getAttribute("data-subject")).containsExactly("app", "shop", "reports", "legacy");

        assertThat(cell("app", "newest").getText()).contains(fixture.appNewest).contains("2026-03-10 10:00 UTC")
                .contains("main");
        assertThat(cell("app", "age").getText()).isEqualTo("2h / 36h");
        assertThat(cell("app", "age").getAttribute("class")).isEqualTo("ok");
        assertThat(cell("app", "window").getText()).isEqualTo("2026-03-08 10:00 UTC → 2026-03-10 10:00 UTC");
        assertThat(cell("app", "drill").getText()).startsWith("passed").contains("2026-03-09 12:00 UTC");
        assertThat(cell("app", "rto").getText()).isEqualTo("20m / 1h");
        assertThat(cell("app", "problems").getText()).isEqualTo("all objectives met");
        assertThat(cell("legacy", "problems").getText()).isEqualTo("no drill passed in the last 7d");
        assertThat(cell("legacy", "age").getText()).isEqualTo("10h / not set");
        assertThat(cell("app", "runs").getText()).contains("backup: succeeded").contains("verify: succeeded");

        assertThat(cell("shop", "age").getText()).isEqualTo("40h / 24h");
        assertThat(cell("shop", "age").getAttribute("class")).isEqualTo("bad");
        assertThat(cell("shop", "drill").getText()).startsWith("failed");
        assertThat(cell("shop", "rto").getText()).isEqualTo("– / not set");
        assertThat(cell("app", "drill").getText()).contains("2026-03-09 12:00 UTC");
        assertThat(cell("shop", "problems").findElements(By.tagName("li"))).extracting(WebElement::getText)
                .contains("newest backup is 40h old, RPO is 24h", "no drill passed in the last 7d");
        assertThat(driver.findElement(By.cssSelector("tr[data-subject='shop']")).getAttribute("class"))
                .isEqualTo("problem");

        assertThat(cell("reports", "newest").getText()).isEqualTo("none");
        assertThat(cell("reports", "problems").getText()).isEqualTo("no backup");
        assertThat(driver.findElement(By.id("overall")).getText()).isEqualTo("objectives missed");

        // recent runs, the failed ones marked
        WebElement failed = driver.findElement(By.cssSelector("#runs tr[data-run='" + fixture.shopBackupRun + "']"));
        assertThat(failed.getAttribute("class")).isEqualTo("failed");
        assertThat(failed.findElement(By.cssSelector("td[data-field='state']")).getText()).isEqualTo("failed");
        assertThat(failed.findElement(By.cssSelector("td[data-field='error']")).getText())
                .startsWith("ARCA-1500: cannot connect to postgresql://db:5432/shop");
        WebElement ok = driver.findElement(By.cssSelector("#runs tr[data-run='" + fixture.appBackupRun + "']"));
        assertThat(ok.getAttribute("class")).isEmpty();
        assertThat(ok.findElement(By.cssSelector("td[data-field='backup']")).getText()).isEqualTo(fixture.appNewest);
        assertThat(driver.findElements(By.cssSelector("#runs tr.failed"))).hasSize(2);
        assertThat(driver.findElements(By.cssSelector("#runs tbody tr"))).hasSize(4);

        // a reload keeps the token of this tab: no prompt
        driver.navigate().refresh();
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(driver.findElement(By.id("token-panel")).isDisplayed()).isFalse();

        screenshotShowsTheTable();
        noScriptOrPolicyErrors();
    }

    /** The table region of a real screenshot is rendered: its size, ink in it, and the row markers' colours. */
    private void screenshotShowsTheTable() throws IOException {
        byte[] png = browser.driver.getScreenshotAs(OutputType.BYTES);
        Path file = Path.of("target", "status-page.png");
        Files.createDirectories(file.getParent());
        Files.write(file, png);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG screenshot").isNotNull();
        Number inner = (Number) browser.driver.executeScript("return window.innerWidth");
        double scale = (double) image.getWidth() / inner.doubleValue();

        Rectangle table = browser.driver.findElement(By.id("subjects")).getRect();
        assertThat(table.getWidth()).as("table width").isGreaterThan(800);
        assertThat(table.getHeight()).as("header and three rows").isGreaterThan(120);
        int x0 = (int) (table.getX() * scale);
        int y0 = (int) (table.getY() * scale);
        int x1 = Math.min(image.getWidth(), (int) ((table.getX() + table.getWidth()) * scale));
        int y1 = Math.min(image.getHeight(), (int) ((table.getY() + table.getHeight()) * scale));
        assertThat(y1 - y0).as("the table is within the screenshot").isGreaterThan(100);

        int background = image.getRGB(image.getWidth() - 2, image.getHeight() - 2) & 0xffffff;
        long ink = 0;
        long all = 0;
        Set<Integer> colours = new HashSet<>();
        boolean red = false;
        boolean green = false;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                all++;
                if (rgb != background) {
                    ink++;
                }
                colours.add(rgb);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                red |= r > 150 && g < 70 && b < 70; // the problem rows' marker, #b42318
                green |= g > 100 && r < 60 && b < 90; // the healthy row's marker, #1f7a3d
            }
        }
        assertThat(ink * 100 / all).as("percent of the table that is not background").isGreaterThanOrEqualTo(5);
        assertThat(colours.size()).as("text, header and markers").isGreaterThan(20);
        assertThat(red).as("a problem row's red marker is drawn").isTrue();
        assertThat(green).as("the healthy row's green marker is drawn").isTrue();
    }

    private void noScriptOrPolicyErrors() {
        List<LogEntry> logs = browser.driver.manage().logs().get(LogType.BROWSER).getAll();
        for (LogEntry e : logs) {
            String m = e.getMessage();
            // the 401s of the token flow are expected; nothing else may go wrong
            if (!m.contains("401")) {
                assertThat(m).as("browser console").doesNotContain("Content Security Policy")
                        .doesNotContain("Uncaught").doesNotContain("Failed to load");
            }
        }
    }

    @Test
    void withoutTokensThePageShowsTheStatusAtOnce() throws IOException {
        api.close();
        api = HttpApi.builder(fixture.config).listen("127.0.0.1:0").tokens(null).clock(fixture.clock)
                .refreshInterval(Duration.ZERO).build();
        api.start();
        browser.driver.get("http://127.0.0.1:" + api.port() + "/");
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(browser.driver.findElement(By.id("token-panel")).isDisplayed()).isFalse();
        assertThat(cell("app", "age").getText()).isEqualTo("2h / 36h");
    }
}
