package dev.lbkit.services.kit;

import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One declared option of a service: its flag ({@code --port}), its environment variable ({@code
 * BROKER_PORT}), its default, its help line and how its text becomes a value. Made by {@link
 * Options.Builder}; read from {@link ParsedOptions#get}. Immutable.
 *
 * @param <T> the type of its value (a {@code List<String>} for a repeatable option)
 */
public final class Option<T> {
  private final String name;
  private final String envVar;
  private final String metavar;
  private final String help;
  private final @Nullable T defaultValue;
  private final @Nullable String defaultText;
  private final Function<String, T> parser;
  private final boolean repeatable;
  private final boolean secret;

  Option(
      String name,
      String envVar,
      String metavar,
      String help,
      @Nullable T defaultValue,
      @Nullable String defaultText,
      Function<String, T> parser,
      boolean repeatable,
      boolean secret) {
    this.name = Objects.requireNonNull(name, "name");
    this.envVar = envVar;
    this.metavar = metavar;
    this.help = Objects.requireNonNull(help, "help");
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.parser = parser;
    this.repeatable = repeatable;
    this.secret = secret;
  }

  /** Returns the option's name, without dashes ({@code port}). */
  public String name() {
    return name;
  }

  /** Returns its flag, {@code --} and the name. */
  public String flag() {
    return "--" + name;
  }

  /** Returns the environment variable that sets it when the flag is not given. */
  public String envVar() {
    return envVar;
  }

  /** Returns whether the option may be given several times. */
  public boolean repeatable() {
    return repeatable;
  }

  /** Returns whether its values are secrets: never echoed in an error message. */
  public boolean secret() {
    return secret;
  }

  /** Returns its default value; null if it has none. */
  public @Nullable T defaultValue() {
    return defaultValue;
  }

  String metavar() {
    return metavar;
  }

  String help() {
    return help;
  }

  @Nullable String defaultText() {
    return defaultText;
  }

  T parse(String text) {
    return parser.apply(text);
  }

  @Override
  public String toString() {
    return flag();
  }
}
