package io.ringstore;

import com.typesafe.config.Config;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.config.SecurityPosture;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.DamagedFileException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.LoggerFactory;

/**
 * Starts one ringstore node: parses the options, builds the configuration and the settings, checks
 * the node's {@link SecurityPosture} (secure by default once off loopback), and creates the actor
 * system; {@link Guardian} does the rest. Exits with status 2 on bad options or settings, and when
 * the node would be reachable beyond loopback unprotected without {@code --insecure}: all before
 * anything binds. Then it checks the data files ({@link DataDirectoryCheck}): a damaged one stops
 * the start with exit status 4 and one message naming the file, what is at risk and the {@code
 * --repair} command.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Config config;
    RingstoreSettings settings;
    SecurityPosture.Verdict posture;
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(args);
    } catch (RuntimeException e) {
      if (!"help requested".equals(e.getMessage())) {
        System.err.println("ringstore: " + e.getMessage());
      }
      System.err.println(LaunchOptions.USAGE);
      System.exit(2);
      return;
    }
    try {
      config = NodeConfig.load(options);
      settings = RingstoreSettings.fromConfig(config);
      posture = SecurityPosture.assess(config);
    } catch (RuntimeException e) {
      // bad configuration (a value, a keystore, a password): the message names the setting and file
      System.err.println("ringstore: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (posture instanceof SecurityPosture.Refuse refuse) {
      System.err.println("ringstore: " + refuse.message());
      System.exit(2);
      return;
    }
    if (posture instanceof SecurityPosture.Warn warn) {
      LoggerFactory.getLogger(Main.class).warn(warn.message());
    }
    DamageRepair.Report repairs;
    try {
      repairs =
          DataDirectoryCheck.run(
              config, settings, config.getBoolean("ringstore.storage.repair-damaged-files"));
    } catch (DamagedFileException e) {
      String message = DataDirectoryCheck.refusal(e, args);
      LoggerFactory.getLogger(Main.class).error(message);
      System.err.println("ringstore: " + message);
      System.exit(DataDirectoryCheck.EXIT_DAMAGED);
      return;
    }
    // opened (and the trees rebuilt) before any actor runs: no actor thread waits for it, and
    // nothing is served before it is open
    RingstoreNode.OpenedStorage opened =
        settings.holdsData() ? RingstoreNode.openStorage(settings) : null;
    ActorSystem.create(Guardian.create(settings, repairs, opened), NodeConfig.SYSTEM_NAME, config);
  }
}
