package dev.lbkit.services.kit;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/**
 * What a service's {@code main} does: read the options ({@code --help}: usage and exit 0; a bad
 * value: one line on standard error and exit 2), start the service (a failure: one line and exit
 * 1), and on SIGTERM or SIGINT close it gracefully and exit 0.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   ServiceMain.run(BrokerOptions.OPTIONS, args, Broker::start);
 * }
 * }</pre>
 */
public final class ServiceMain {

  /** Starts a service from its parsed options. */
  @FunctionalInterface
  public interface Starter {
    /** Starts the service; it runs until closed. */
    Service start(ParsedOptions options) throws Exception;
  }

  private ServiceMain() {}

  /** Runs a service from {@code args} and the process environment, as described above. */
  @SuppressWarnings("SystemOut") // usage and option errors go to the terminal, not the log
  public static void run(Options options, String[] args, Starter starter) {
    int code = start(options, args, System.getenv(), starter, System.out, System.err);
    if (code >= 0) {
      System.out.flush();
      System.exit(code);
    }
  }

  /**
   * Does what {@link #run} does without exiting: returns the exit code when the service did not
   * start (0 after {@code --help}), or -1 when it runs, a shutdown hook installed that closes it
   * and halts the JVM with status 0.
   */
  static int start(
      Options options,
      String[] args,
      Map<String, String> env,
      Starter starter,
      PrintStream out,
      PrintStream err) {
    Objects.requireNonNull(starter, "starter");
    ParsedOptions parsed;
    try {
      parsed = options.parse(args, env);
    } catch (Options.HelpRequested help) {
      out.print(help.getMessage());
      return 0;
    } catch (Options.OptionsException e) {
      err.println(e.getMessage());
      return 2;
    }
    Service service;
    try {
      service = starter.start(parsed);
    } catch (Exception e) {
      err.println(options.program() + ": did not start: " + e);
      return 1;
    }
    Thread hook =
        new Thread(
            () -> {
              service.close();
              out.flush();
              err.flush();
              // The JVM would exit with 143 after SIGTERM; a clean stop is status 0.
              Runtime.getRuntime().halt(0);
            },
            options.program() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return -1;
  }
}
