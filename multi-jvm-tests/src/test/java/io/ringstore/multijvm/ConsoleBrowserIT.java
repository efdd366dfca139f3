package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console ({@code /ui}) in a real browser, headless Debian Chromium driven by Selenium,
 * against real node JVMs (issue 12, item 2): on a 3-node cluster the page loads without a console
 * error and shows 3 members and 64 partitions; after writes its request chart moves; a 4th node
 * joins and leaves from its own console (confirmed in the browser) and the serving node's page
 * shows the leave's transfers and the node gone; a node killed with SIGKILL turns unreachable on
 * the page. One screenshot per state in {@code target/console-screenshots/}.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian packages {@code
 * chromium} and {@code chromium-driver}; {@code .ci/run} installs them); the test fails, never
 * skips, without them. Selenium is pointed at both binaries, so it downloads nothing.
 */
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PAGE = Duration.ofSeconds(60);
  private static final Duration MOVES_DONE = Duration.ofSeconds(120);
  private static final Duration LEFT = Duration.ofSeconds(150);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  private WebDriver driver;
  private Path screenshots;

  @Test
  @Timeout(value = 720)
  void consoleShowsTheClusterItsTrafficALeaveAndAKilledNode() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail(
          "the browser test needs "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + ": install them with "
              + "`apt-get install -y chromium chromium-driver` (as root; .ci/run does this)");
    }
    screenshots = Files.createDirectories(cluster.home().resolve("target/console-screenshots"));
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3);
    NodeProcess serving = faults.node(1);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(tmp.resolve("chromedriver.log").toFile())
            .build();
    try {
      driver = new ChromeDriver(service, options());
      WebDriverWait wait = new WebDriverWait(driver, PAGE);

      // 1. the page loads: 3 members Up and reachable, 64 partitions on the ring, no console error
      driver.get(consoleUrl(serving));
      wait.until(
          d ->
              rows("#members tbody tr[data-status='Up'][data-reachable='true']") == 3
                  && refreshes() >= 2);
      assertEquals("64", driver.findElement(By.id("ring-partitions")).getText());
      assertEquals(64, rows("#ring path.partition"), "one ring segment per partition");
      assertEquals(3, rows("#ownership tbody tr"), "partitions per node");
      for (NodeProcess n : faults.nodes) {
        assertEquals(
            1,
            rows("#members tbody tr[data-node='" + n.clusterAddress() + "']"),
            () -> n.name() + " listed");
      }
      assertTrue(
          driver.findElement(By.id("cluster-id")).getText().matches("[0-9a-f-]{36}"),
          () -> "cluster id shown: " + driver.findElement(By.id("cluster-id")).getText());
      screenshot("1-cluster");
      assertNoConsoleErrors("after loading the page");

      // 2. writes: the request chart moves (writes go on over a few refreshes, so it draws a line)
      assertEquals("0", chart().getAttribute("data-max-rate"), "no requests before the writes");
      int pointsBefore = Integer.parseInt(chart().getAttribute("data-points"));
      int written = 0;
      long writesUntil = System.nanoTime() + PAGE.toNanos();
      while (Integer.parseInt(chart().getAttribute("data-points")) < pointsBefore + 4) {
        assertTrue(
            System.nanoTime() < writesUntil, "the page stopped refreshing during the writes");
        for (int i = 0; i < 40; i++, written++) {
          FaultCluster.put204(serving, "console-" + written, "value-" + written, "", null);
        }
      }
      wait.until(d -> Double.parseDouble(chart().getAttribute("data-max-rate")) > 0);
      assertTrue(rows("#rate-chart canvas") > 0, "uPlot drew the request chart");
      String rate =
          driver
              .findElement(
                  By.cssSelector(
                      "#members tr[data-node='" + serving.clusterAddress() + "'] td:nth-child(7)"))
              .getText();
      faults.log(
          "request chart moved: max "
              + chart().getAttribute("data-max-rate")
              + "/s; "
              + serving.name()
              + " row says "
              + rate
              + " req/s");
      screenshot("2-traffic");
      assertNoConsoleErrors("after the writes");

      // 3. a 4th node joins (a leave needs somewhere for the replicas to go), then leaves from its
      //    own console: the serving node's page shows its transfers and the node gone
      NodeProcess joiner = cluster.newNode("node-4", tmp.resolve("node-4"));
      joiner.start(
          "--config", tmp.resolve("faults.conf").toString(), "--seed", serving.clusterAddress());
      joiner.awaitReady(FaultCluster.READY);
      List<String> probes = FaultCluster.keysCoveringEveryPartition(serving);
      cluster.awaitAssert(
          MOVES_DONE,
          () -> {
            assertMovesDone(serving, 4);
            FaultCluster.assertPlacedOnRing(serving, joiner, probes);
          });
      driver.get(consoleUrl(joiner));
      wait.until(
          d ->
              rows("#members tbody tr[data-status='Up']") == 4
                  && driver.findElement(By.id("leave-button")).isEnabled());
      driver.findElement(By.id("leave-button")).click();
      wait.until(ExpectedConditions.alertIsPresent()).accept();
      wait.until(
          d ->
              "leaving"
                  .equals(driver.findElement(By.id("leave-result")).getAttribute("data-state")));
      String started = driver.findElement(By.id("leave-result")).getText();
      faults.log("leave started from node-4's console: " + started);
      assertFalse(started.contains("replicas of 0 partitions"), "node-4 held replicas to hand off");
      screenshot("3-leave-started");
      driver.get(consoleUrl(serving));
      String fromJoiner = "tr[data-source='" + joiner.clusterAddress() + "']";
      wait.until(d -> rows("#transfers " + fromJoiner) + rows("#finished " + fromJoiner) > 0);
      screenshot("4-leave-transfers");
      try {
        joiner.process().onExit().get(LEFT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "node-4 still running "
                + LEFT.toSeconds()
                + " s after the leave"
                + " started from its console\n"
                + joiner.logTail(40));
      }
      new WebDriverWait(driver, Duration.ofSeconds(90))
          .until(
              d ->
                  rows("#members tbody tr[data-node='" + joiner.clusterAddress() + "']") == 0
                      && rows("#members tbody tr[data-status='Up'][data-reachable='true']") == 3
                      && rows("#transfers tbody tr[data-state]") == 0);
      assertTrue(rows("#finished " + fromJoiner) > 0, "the leave's transfers listed as finished");
      faults.log(
          "after the leave: "
              + driver.findElement(By.id("transfers-summary")).getText()
              + "; failed: "
              + driver.findElements(By.cssSelector("#finished tr[data-state='failed']")).stream()
                  .map(r -> r.getAttribute("textContent"))
                  .toList());
      screenshot("5-leave-done");
      assertNoConsoleErrors("on the serving node's page after the leave");

      // 4. a node killed with SIGKILL turns unreachable on the page
      NodeProcess victim = faults.node(3);
      victim.kill9();
      wait.until(
          d ->
              rows(
                      "#members tbody tr[data-node='"
                          + victim.clusterAddress()
                          + "'][data-reachable='false']")
                  == 1);
      assertTrue(
          driver
              .findElement(
                  By.cssSelector("#members tr[data-node='" + victim.clusterAddress() + "']"))
              .getText()
              .contains("UNREACHABLE"),
          "unreachable said in words, not only colour");
      screenshot("6-node-killed");
      assertNoConsoleErrors("while a node is unreachable");
    } finally {
      try {
        if (driver != null) {
          driver.quit();
        }
      } finally {
        service.stop();
        // a killed member is still in the cluster: stop the others together, not leave one by one
        cluster.stopAllNow();
      }
    }
  }

  private ChromeOptions options() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1366,768",
        "--user-data-dir=" + tmp.resolve("chromium-profile"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    return options;
  }

  private static String consoleUrl(NodeProcess node) {
    return "http://" + node.host().address() + ":" + node.httpPort() + "/ui";
  }

  private WebElement chart() {
    return driver.findElement(By.id("rate-chart"));
  }

  private int rows(String css) {
    return driver.findElements(By.cssSelector(css)).size();
  }

  private int refreshes() {
    String n = driver.findElement(By.tagName("body")).getAttribute("data-refreshes");
    return n == null ? 0 : Integer.parseInt(n);
  }

  private void assertNoConsoleErrors(String when) {
    List<LogEntry> severe =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .toList();
    assertEquals(
        List.of(),
        severe.stream().map(LogEntry::getMessage).collect(Collectors.toList()),
        "browser console errors " + when);
  }

  private static void assertMovesDone(NodeProcess via, int members) {
    JsonNode transfers = FaultCluster.json(via, "/admin/transfers");
    JsonNode summary = transfers.path("summary");
    for (String state : List.of("pending", "copying", "syncing")) {
      assertEquals(0, summary.path(state).asLong(), () -> "transfers " + state + ": " + summary);
    }
    JsonNode ring = FaultCluster.json(via, "/admin/ring");
    assertEquals(
        members, ring.path("members").size(), () -> "ring members: " + ring.path("members"));
  }

  /** The whole page (the window made as tall as the page for the shot), as {@code name}.png. */
  private void screenshot(String name) {
    Dimension laptop = driver.manage().window().getSize();
    long height =
        (Long)
            ((JavascriptExecutor) driver)
                .executeScript("return Math.ceil(document.documentElement.scrollHeight)");
    try {
      driver
          .manage()
          .window()
          .setSize(
              new Dimension(
                  laptop.getWidth(),
                  (int) Math.min(4000, Math.max(laptop.getHeight(), height + 120))));
      Path shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(laptop);
    }
  }
}
