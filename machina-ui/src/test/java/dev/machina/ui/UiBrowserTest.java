package dev.machina.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.experiment.Experiment;
import dev.machina.experiment.Setup;
import dev.machina.experiment.SpecRunner;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import dev.machina.train.Trainer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium driven by Selenium through Debian's
 * chromium-driver. Runs are trained for real (tiny digits specs) or written by hand (a sweep, a
 * damaged run). Screenshots of every page go to target/ui-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("machina.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("machina.chromedriver", "/usr/bin/chromedriver"));
    static final Path SPEC = Path.of("../examples/digits-mlp.yaml");
    static final Path SHOTS = Path.of("target/ui-screenshots");

    /** Selenium warns that it has no DevTools bindings for this Chromium; the tests use none. */
    static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");

    @TempDir
    static Path tmp;
    static Path runs;
    static UiServer ui;
    static WebDriver driver;
    static SpecRunner.Result slow, fast;
    static String sweepPath = "tiny-sweep/20250102-090000";
    /** Why the tests cannot run here, or null. */
    static String missing;

    @BeforeAll
    static void setUp() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            missing = "the browser tests need Chromium and its driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install chromium chromium-driver";
            System.err.println("UiBrowserTest skipped: " + missing);
            return;
        }
        SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
        runs = Files.createDirectories(tmp.resolve("runs"));
        slow = train("digits-slow", "0.001", 3);
        fast = train("digits-fast", "0.01", 3);
        Path broken = Files.createDirectories(runs.resolve("broken/half"));
        Files.writeString(broken.resolve("run.json"), "{\"name\": \"half\", \"stat");
        Files.writeString(broken.resolve("metrics.jsonl"), "{\"type\":\"epoch\",\"epoch\":1,\"train_loss\":0.9}\n{\"type\":\"ep");
        writeSweep(runs.resolve(sweepPath));
        ui = UiServer.start(runs, "127.0.0.1", 0);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        Files.createDirectories(SHOTS);
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(missing == null, missing);
    }

    @AfterAll
    static void tearDown() {
        if (driver != null) driver.quit();
        if (ui != null) ui.close();
    }

    static SpecRunner.Result train(String name, String lr, int epochs) throws IOException {
        Experiment e = Experiment.load(SPEC).with("training.epochs", Integer.toString(epochs)).with("optimizer.lr", lr)
                .with("model[0].linear", "32").with("model[3].linear", "16");
        return SpecRunner.of(e).name(name).runsDir(runs).report(false).run();
    }

    static void writeSweep(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sweep.json"), """
                {"name": "tiny-sweep", "sweep_id": "20250102-090000", "strategy": "halving", "sampler": "random", "objective": "val_accuracy",
                 "mode": "max", "trials": 3, "pruner": "asha",
                 "space": [{"key": "optimizer.lr", "kind": "LogUniform", "log_scale": true}, {"key": "model[2].dropout", "kind": "Uniform", "log_scale": false}]}
                """);
        Files.writeString(dir.resolve("leaderboard.json"), """
                {"objective": "val_accuracy", "mode": "max", "total_epochs": 9, "trials": [
                 {"rank": 1, "trial": 1, "status": "done", "objective": 0.93, "best_epoch": 4, "epochs": 4, "seconds": 2.0,
                  "params": {"optimizer.lr": 0.003, "model[2].dropout": 0.2}, "run_dir": "trials/001"},
                 {"rank": 2, "trial": 0, "status": "done", "objective": 0.81, "best_epoch": 4, "epochs": 4, "seconds": 2.1,
                  "params": {"optimizer.lr": 0.0002, "model[2].dropout": 0.4}, "run_dir": "trials/000"},
                 {"rank": 3, "trial": 2, "status": "pruned", "objective": 0.40, "best_epoch": 1, "epochs": 1, "seconds": 0.5,
                  "params": {"optimizer.lr": 0.05, "model[2].dropout": 0.3}, "error": "ASHA rung 1", "run_dir": "trials/002"}]}
                """);
        Files.writeString(dir.resolve("best.yaml"), "name: tiny-sweep\noptimizer: {name: adam, lr: 0.003}\n");
        double[] lrs = {0.0002, 0.003, 0.05};
        for (int t = 0; t < 3; t++) {
            SeedRuns.writeFinished(dir.resolve("trials/00" + t), "tiny-sweep", "00" + t, lrs[t], 32, t == 2 ? 1 : 4, 0.9);
        }
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    static WebDriverWait waiting(int seconds) {
        // pages re-render parts of themselves as data arrives: an element found may be replaced before it is read
        return (WebDriverWait) new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    static void open(String pathAndQuery) {
        driver.get(ui.uri().resolve(pathAndQuery).toString());
    }

    static String rel(Path runDir) {
        return runs.relativize(runDir).toString().replace('\\', '/');
    }

    static void screenshot(String name) throws IOException {
        File f = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Number of non-null points in series {@code s} of the chart {@code id}. */
    static long points(String id, int s) {
        Object n = js("const u = window.machinaCharts[arguments[0]]; if (!u || !u.data[arguments[1]]) return -1;"
                + " return u.data[arguments[1]].filter(v => v != null).length;", id, s);
        return ((Number) n).longValue();
    }

    static List<String> column(String col) {
        return driver.findElements(By.cssSelector("#runs-body td[data-col=" + col + "]")).stream().map(WebElement::getText).toList();
    }

    @Test
    void theTableListsTheRunsWithTheirValues() throws IOException {
        open("/");
        waiting(10).until(d -> d.findElements(By.cssSelector("#runs-body tr[data-path]")).size() == 6);
        WebElement row = driver.findElement(By.cssSelector("#runs-body tr[data-path='" + rel(fast.dir()) + "']"));
        assertThat(row.findElement(By.cssSelector("td[data-col=name]")).getText()).startsWith("digits-fast");
        assertThat(row.findElement(By.cssSelector("td[data-col=id]")).getText()).isEqualTo(fast.dir().getFileName().toString());
        assertThat(row.findElement(By.cssSelector("td[data-col=status]")).getText()).isEqualTo("completed");
        assertThat(row.findElement(By.cssSelector("td[data-col=dataset]")).getText()).isEqualTo("digits");
        assertThat(row.findElement(By.cssSelector("td[data-col=model]")).getText()).startsWith("linear 32");
        assertThat(row.findElement(By.cssSelector("td[data-col=optimizer]")).getText()).isEqualTo("adam");
        assertThat(row.findElement(By.cssSelector("td[data-col=lr]")).getText()).isEqualTo("0.01");
        assertThat(row.findElement(By.cssSelector("td[data-col=batch_size]")).getText()).isEqualTo("16");
        assertThat(row.findElement(By.cssSelector("td[data-col=epochs]")).getText()).isEqualTo("3 / 3");
        assertThat(row.findElement(By.cssSelector("td[data-col=test]")).getText())
                .isEqualTo(String.format(Locale.ROOT, "%.4f acc", fast.report().accuracy()));
        double bestVal = fast.history().epochs().stream().mapToDouble(e -> e.get("val_accuracy")).max().orElseThrow();
        assertThat(row.findElement(By.cssSelector("td[data-col=best_val]")).getText()).isEqualTo(String.format(Locale.ROOT, "%.4f acc", bestVal));
        WebElement broken = driver.findElement(By.cssSelector("#runs-body tr[data-path='broken/half']"));
        assertThat(broken.findElement(By.cssSelector("td[data-col=status]")).getText()).isEqualTo("unreadable");
        assertThat(driver.findElement(By.id("sweeps")).getText()).contains("tiny-sweep");
        screenshot("runs");
    }

    @Test
    void theTableSortsAndFilters() {
        open("/");
        waiting(10).until(d -> d.findElements(By.cssSelector("#runs-body tr[data-path]")).size() == 6);
        driver.findElement(By.cssSelector("th[data-key=lr]")).click();
        List<String> desc = column("lr").stream().filter(s -> !s.equals("—")).toList();
        assertThat(desc).containsExactly("0.05", "0.01", "0.003", "0.001", "0.0002");
        driver.findElement(By.cssSelector("th[data-key=lr]")).click();
        assertThat(column("lr").stream().filter(s -> !s.equals("—")).toList()).containsExactly("0.0002", "0.001", "0.003", "0.01", "0.05");
        driver.findElement(By.cssSelector("th[data-key=name]")).click();
        assertThat(column("name").get(0)).startsWith("broken");

        driver.findElement(By.id("filter")).sendKeys("digits-");
        assertThat(column("name")).hasSize(2).allMatch(s -> s.startsWith("digits-"));
        driver.findElement(By.id("filter")).clear();
        driver.findElement(By.id("filter")).sendKeys(" ");
        driver.findElement(By.id("filter")).clear();
        new Select(driver.findElement(By.id("status-filter"))).selectByValue("unreadable");
        waiting(5).until(d -> column("status").size() == 1);
        assertThat(column("status")).containsExactly("unreadable");
        new Select(driver.findElement(By.id("status-filter"))).selectByValue("completed");
        waiting(5).until(d -> column("status").size() == 5);
    }

    @Test
    void aRunPageDrawsItsCharts() throws IOException {
        open("/run?p=" + rel(slow.dir()));
        waiting(10).until(d -> points("loss", 1) == 3 && points("roc", 1) > 0);
        assertThat(points("loss", 2)).isEqualTo(3); // val_loss
        assertThat(points("accuracy", 1)).isEqualTo(3);
        assertThat(points("lr", 1)).isEqualTo(3);
        assertThat(points("pr", 1)).isGreaterThan(1);
        // the curve was drawn: the chart's canvas holds coloured pixels, not just the frame
        long coloured = ((Number) js("const c = window.machinaCharts.loss.ctx; const d = c.getImageData(0, 0, c.canvas.width, c.canvas.height).data;"
                + " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 150 && d[i] < 100) n++; return n;")).longValue();
        assertThat(coloured).isGreaterThan(50);
        assertThat(driver.findElements(By.cssSelector("#confusion tbody td"))).hasSize(100);
        assertThat(driver.findElements(By.cssSelector("#per-class tbody tr"))).hasSizeGreaterThanOrEqualTo(10);
        assertThat(driver.findElement(By.id("log")).getText()).contains("ended completed");
        assertThat(driver.findElements(By.cssSelector("#files a")).stream().map(WebElement::getText).toList())
                .contains("run.json", "metrics.jsonl", "model.safetensors", "spec.yaml");
        screenshot("run");
    }

    @Test
    void theComparePageOverlaysTwoRuns() throws IOException {
        open("/");
        waiting(10).until(d -> d.findElements(By.cssSelector("#runs-body tr[data-path]")).size() == 6);
        for (SpecRunner.Result r : List.of(slow, fast)) {
            driver.findElement(By.cssSelector("#runs-body tr[data-path='" + rel(r.dir()) + "'] input.select")).click();
        }
        driver.findElement(By.id("compare")).click();
        waiting(10).until(d -> points("val_loss", 1) == 3 && points("val_loss", 2) == 3);
        assertThat(((Number) js("return window.machinaCharts.val_loss.series.length")).intValue()).isEqualTo(3);
        String legend = driver.findElement(By.cssSelector("#chart-val_loss .u-legend")).getText();
        assertThat(legend).contains("lr=0.001", "lr=0.01");
        assertThat(driver.findElement(By.cssSelector("#compare-table tr[data-key='optimizer.lr']")).getText()).contains("0.001", "0.01");
        screenshot("compare");
    }

    @Test
    void theSweepPageShowsTheLeaderboardAndEachParameter() throws IOException {
        open("/sweep?p=" + sweepPath);
        waiting(10).until(d -> points("dim0", 1) + points("dim0", 2) == 3);
        assertThat(points("dim0", 2)).isEqualTo(1); // the pruned trial, its own series
        assertThat(((Number) js("return window.machinaCharts.dim0.scales.x.distr")).intValue()).isEqualTo(3); // lr: log axis
        assertThat(((Number) js("return window.machinaCharts.dim1.scales.x.distr")).intValue()).isEqualTo(1);
        assertThat(driver.findElements(By.cssSelector("#leaderboard tbody tr"))).hasSize(3);
        assertThat(driver.findElements(By.cssSelector("#leaderboard tbody tr.pruned"))).hasSize(1);
        assertThat(driver.findElement(By.id("best-command")).getText()).isEqualTo("./machina train " + runs.resolve(sweepPath).resolve("best.yaml"));
        screenshot("sweep");
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it adds a run the other tests do not expect
    void aTrainingRunGrowsOnAnOpenPageWithoutReload() throws Exception {
        open("/");
        waiting(10).until(d -> d.findElements(By.cssSelector("#runs-body tr[data-path]")).size() == 6);
        Object tableLoadedAt = js("return window.machinaLoadedAt");
        CompletableFuture<RunDirectory> started = new CompletableFuture<>();
        // the run waits for the pages where they must see it running: a loaded machine cannot end it first
        java.util.concurrent.CountDownLatch tableSawIt = new java.util.concurrent.CountDownLatch(1), pageSawAnEpoch = new java.util.concurrent.CountDownLatch(1);
        Experiment e = Experiment.load(SPEC).with("training.epochs", "8").with("model[0].linear", "32").with("model[3].linear", "16");
        SpecRunner runner = SpecRunner.of(e).name("digits-live").runsDir(runs).report(false)
                .callback(new Callback() {
                    @Override
                    public void onEpochBegin(TrainContext ctx, int epoch) {
                        try {
                            if (epoch == 1) tableSawIt.await(120, TimeUnit.SECONDS);
                            if (epoch == 2) pageSawAnEpoch.await(120, TimeUnit.SECONDS);
                            Thread.sleep(900); // slow enough for the pages to see each epoch arrive
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .listener(new SpecRunner.Listener() {
                    @Override
                    public void started(RunDirectory run, Setup setup, Trainer trainer) {
                        started.complete(run);
                    }
                });
        CompletableFuture<SpecRunner.Result> done = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run();
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        try {
            RunDirectory run = started.get(60, TimeUnit.SECONDS);
            // the open runs table picks the new run up, running, without a reload
            By liveStatus = By.cssSelector("#runs-body tr[data-path='" + rel(run.dir()) + "'] td[data-col=status]");
            waiting(20).until(d -> d.findElements(liveStatus).size() == 1 && d.findElement(liveStatus).getText().equals("running"));
            assertThat(js("return window.machinaLoadedAt")).isEqualTo(tableLoadedAt);
            tableSawIt.countDown();
            open("/run?p=" + rel(run.dir()));
            waiting(10).until(d -> !d.findElements(By.id("epochs")).isEmpty());
            Object loadedAt = js("return window.machinaLoadedAt");
            waiting(30).until(d -> points("loss", 1) >= 1);
            long first = points("loss", 1);
            String firstText = waiting(5).until(d -> d.findElement(By.id("epochs")).getText());
            pageSawAnEpoch.countDown();
            waitForMorePoints(first, firstText, loadedAt, done);
        } finally { // a failed look must not leave the run waiting
            tableSawIt.countDown();
            pageSawAnEpoch.countDown();
        }
    }

    private void waitForMorePoints(long first, String firstText, Object loadedAt, CompletableFuture<SpecRunner.Result> done) throws Exception {
        waiting(30).until(d -> points("loss", 1) > first && !d.findElement(By.id("epochs")).getText().equals(firstText));
        assertThat(driver.findElements(By.id("problems"))).as("metrics.jsonl exists by now").isEmpty();
        screenshot("run-live");
        done.get(90, TimeUnit.SECONDS);
        waiting(20).until(d -> d.findElement(By.id("status")).getText().equals("completed")
                && d.findElement(By.id("epochs")).getText().equals("8 / 8") && points("loss", 1) == 8);
        assertThat(js("return window.machinaLoadedAt")).as("the page was not reloaded").isEqualTo(loadedAt);
    }
}
