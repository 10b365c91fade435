package dev.lbkit.services.kit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A service's options, each declared once with its name, environment variable, default and help,
 * and read from the command line and the environment: a flag wins over its variable, which wins
 * over the default.
 *
 * <pre>{@code
 * Options.Builder b = Options.builder("sandbox-broker", "BROKER_");
 * Option<Integer> port = b.intOption("port", 8080, 0, 65_535, "the HTTP port (0: any free one)");
 * Options options = b.build();
 * ParsedOptions parsed = options.parse(args, System.getenv());  // OptionsException if bad
 * int p = parsed.get(port);
 * }</pre>
 *
 * <p>Flags are written {@code --name value} or {@code --name=value}; {@code --help} (or {@code -h})
 * asks for {@link #usage()}. A repeatable option may be given many times; its environment variable
 * holds its values separated by commas. A bad value makes {@link #parse} throw an {@link
 * OptionsException} whose one-line message names the option and the value (a secret's value is
 * never repeated). Immutable and thread-safe once built.
 */
public final class Options {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  private final String program;
  private final Map<String, Option<?>> byName;

  private Options(String program, Map<String, Option<?>> byName) {
    this.program = program;
    this.byName = byName;
  }

  /**
   * Returns a builder of the options of {@code program}, whose environment variables are {@code
   * envPrefix} plus the option's name in upper case with underscores ({@code BROKER_} and {@code
   * lease-ttl-seconds} give {@code BROKER_LEASE_TTL_SECONDS}).
   */
  public static Builder builder(String program, String envPrefix) {
    return new Builder(program, envPrefix);
  }

  /** Returns the options, in declaration order. */
  public List<Option<?>> options() {
    return List.copyOf(byName.values());
  }

  /** Returns the program's name. */
  public String program() {
    return program;
  }

  /**
   * Reads {@code args}, then {@code env} for the options no flag gave.
   *
   * @throws OptionsException if a flag is unknown, lacks its value, is given twice (and is not
   *     repeatable), or a value is bad; its message is one line naming the option and the value
   * @throws HelpRequested if {@code --help} or {@code -h} is among the arguments
   */
  public ParsedOptions parse(String[] args, Map<String, String> env) {
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(env, "env");
    for (String arg : args) {
      if ("--help".equals(arg) || "-h".equals(arg)) {
        throw new HelpRequested(usage());
      }
    }
    Map<Option<?>, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = Objects.requireNonNull(args[i], "args[" + i + "]");
      if (!arg.startsWith("--")) {
        throw new OptionsException(
            program + ": '" + shorten(arg) + "' (expected: an option such as --port; see --help)");
      }
      String name = arg.substring(2);
      String text;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        text = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          Option<?> known = byName.get(name);
          throw new OptionsException(
              program
                  + ": --"
                  + shorten(name)
                  + (known == null
                      ? ": unknown option (see --help)"
                      : ": no value (expected: " + known.metavar() + ")"));
        }
        text = args[++i];
      }
      Option<?> option = byName.get(name);
      if (option == null) {
        throw new OptionsException(
            program + ": --" + shorten(name) + ": unknown option (see --help)");
      }
      if (values.containsKey(option) && !option.repeatable()) {
        throw new OptionsException(
            program + ": " + option.flag() + ": given twice (expected: once)");
      }
      put(values, option, parseOne(option, option.flag(), text));
    }
    for (Option<?> option : byName.values()) {
      if (values.containsKey(option)) {
        continue;
      }
      String text = env.get(option.envVar());
      if (text == null || text.isEmpty()) {
        continue;
      }
      if (option.repeatable()) {
        for (String part : text.split(",", -1)) {
          put(values, option, parseOne(option, option.envVar(), part.trim()));
        }
      } else {
        put(values, option, parseOne(option, option.envVar(), text));
      }
    }
    return new ParsedOptions(values);
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<Option<?>, Object> values, Option<?> option, Object value) {
    if (option.repeatable()) {
      List<Object> list = (List<Object>) values.computeIfAbsent(option, o -> new ArrayList<>());
      list.addAll((List<Object>) value);
    } else {
      values.put(option, value);
    }
  }

  private Object parseOne(Option<?> option, String source, String text) {
    try {
      return option.parse(text);
    } catch (IllegalArgumentException e) {
      String shown =
          option.secret()
              ? "(" + text.length() + " characters, hidden)"
              : "'" + shorten(text) + "'";
      throw new OptionsException(
          program + ": " + source + ": " + shown + " (expected: " + e.getMessage() + ")");
    }
  }

  private static String shorten(String text) {
    String oneLine = text.replaceAll("[\\p{Cntrl}]", "?");
    return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "...";
  }

  /** Returns the help text: a usage line, then each option with its variable and default. */
  public String usage() {
    StringBuilder out = new StringBuilder();
    out.append("Usage: java -jar ").append(program).append(".jar [options]\n\nOptions:\n");
    for (Option<?> option : byName.values()) {
      out.append("  ").append(option.flag()).append(' ').append(option.metavar());
      if (option.repeatable()) {
        out.append(" (repeatable)");
      }
      out.append("\n      ").append(option.help()).append("\n      env ").append(option.envVar());
      String def = option.defaultText();
      if (def != null) {
        out.append(", default ").append(def);
      }
      out.append('\n');
    }
    out.append("  --help\n      print this help and exit\n");
    return out.toString();
  }

  /** Thrown by {@link #parse} for a bad command line or environment: the message is one line. */
  public static class OptionsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    OptionsException(String message) {
      super(message);
    }
  }

  /** Thrown by {@link #parse} when {@code --help} was asked for; the message is the usage. */
  public static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HelpRequested(String usage) {
      super(usage, null, false, false);
    }
  }

  /**
   * Declares options. Each method checks its arguments at once ({@code IllegalArgumentException}
   * for a bad name, a duplicate or a default outside the range). Not thread-safe.
   */
  public static final class Builder {
    private final String program;
    private final String envPrefix;
    private final Map<String, Option<?>> byName = new LinkedHashMap<>();

    private Builder(String program, String envPrefix) {
      this.program = Objects.requireNonNull(program, "program");
      this.envPrefix = Objects.requireNonNull(envPrefix, "envPrefix");
    }

    /** Declares an integer option in {@code [min, max]}. */
    public Option<Integer> intOption(String name, int defaultValue, int min, int max, String help) {
      if (defaultValue < min || defaultValue > max) {
        throw new IllegalArgumentException(
            name + " default: " + defaultValue + " (expected: " + min + ".." + max + ")");
      }
      return add(
          name,
          "N",
          help,
          defaultValue,
          Integer.toString(defaultValue),
          text -> {
            long value;
            try {
              value = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("an integer in " + min + ".." + max, e);
            }
            if (value < min || value > max) {
              throw new IllegalArgumentException("an integer in " + min + ".." + max);
            }
            return (int) value;
          },
          false,
          false);
    }

    /** Declares a decimal option in {@code [min, max]}. */
    public Option<Double> doubleOption(
        String name, double defaultValue, double min, double max, String help) {
      if (!(defaultValue >= min && defaultValue <= max)) {
        throw new IllegalArgumentException(
            name + " default: " + defaultValue + " (expected: " + min + ".." + max + ")");
      }
      return add(
          name,
          "X",
          help,
          defaultValue,
          plain(defaultValue),
          text -> {
            double value;
            try {
              value = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(
                  "a number in " + plain(min) + ".." + plain(max), e);
            }
            if (!(value >= min && value <= max)) {
              throw new IllegalArgumentException("a number in " + plain(min) + ".." + plain(max));
            }
            return value;
          },
          false,
          false);
    }

    private static String plain(double value) {
      return value == Math.rint(value) && Math.abs(value) < 1e15
          ? Long.toString((long) value)
          : Double.toString(value);
    }

    /**
     * Declares a text option with a default; {@code check} turns the text into the value or throws
     * an {@code IllegalArgumentException} whose message says what was expected ("a JDBC URL").
     */
    public Option<String> stringOption(
        String name,
        String metavar,
        String defaultValue,
        String help,
        Function<String, String> check) {
      return add(name, metavar, help, defaultValue, defaultValue, check, false, false);
    }

    /**
     * Declares a text option without a default ({@link ParsedOptions#find} is empty when it is not
     * given). A {@code secret} one never has its value repeated in an error message.
     */
    public Option<String> optionalString(
        String name, String metavar, String help, boolean secret, Function<String, String> check) {
      return add(name, metavar, help, null, null, check, false, secret);
    }

    /**
     * Declares a repeatable text option: each occurrence (or each comma-separated part of its
     * environment variable) goes through {@code check}; its value is the list of them, empty when
     * none is given.
     */
    public Option<List<String>> repeatable(
        String name, String metavar, String help, boolean secret, Function<String, String> check) {
      return add(
          name, metavar, help, List.of(), null, text -> List.of(check.apply(text)), true, secret);
    }

    private <T> Option<T> add(
        String name,
        String metavar,
        String help,
        @Nullable T defaultValue,
        @Nullable String defaultText,
        Function<String, T> parser,
        boolean repeatable,
        boolean secret) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches() || "help".equals(name)) {
        throw new IllegalArgumentException(
            "name: '" + name + "' (expected: [a-z][a-z0-9-]*, not help)");
      }
      if (byName.containsKey(name)) {
        throw new IllegalArgumentException("name: '" + name + "' (expected: declared once)");
      }
      String envVar = envPrefix + name.toUpperCase(Locale.ROOT).replace('-', '_');
      Option<T> option =
          new Option<>(
              name, envVar, metavar, help, defaultValue, defaultText, parser, repeatable, secret);
      byName.put(name, option);
      return option;
    }

    /** Returns the options declared so far. */
    public Options build() {
      return new Options(program, new LinkedHashMap<>(byName));
    }
  }
}
