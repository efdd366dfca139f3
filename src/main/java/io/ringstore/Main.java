package io.ringstore;

import com.typesafe.config.Config;
import io.ringstore.config.RingstoreSettings;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Starts one ringstore node: parses the options, builds the configuration and the settings, and creates
 * the actor system; {@link Guardian} does the rest. Exits with status 2 on bad options or settings.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Config config;
    RingstoreSettings settings;
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
    } catch (RuntimeException e) {
      // bad configuration (a value, a keystore, a password): the message names the setting and file
      System.err.println("ringstore: " + e.getMessage());
      System.exit(2);
      return;
    }
    ActorSystem.create(Guardian.create(settings), NodeConfig.SYSTEM_NAME, config);
  }
}
