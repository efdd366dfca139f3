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
    try {
      LaunchOptions options = LaunchOptions.parse(args);
      config = NodeConfig.load(options);
      settings = RingstoreSettings.fromConfig(config);
    } catch (RuntimeException e) {
      if (!"help requested".equals(e.getMessage())) {
        System.err.println("ringstore: " + e.getMessage());
      }
      System.err.println(LaunchOptions.USAGE);
      System.exit(2);
      return;
    }
    ActorSystem.create(Guardian.create(settings), NodeConfig.SYSTEM_NAME, config);
  }
}
