package dev.lbkit.services.kit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The values read by {@link Options#parse}: each given option's, else its default. Immutable. */
public final class ParsedOptions {
  private final Map<Option<?>, Object> values;

  ParsedOptions(Map<Option<?>, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * Returns the value of {@code option}: given, or its default.
   *
   * @throws IllegalStateException if it was not given and has no default (use {@link #find})
   */
  public <T> T get(Option<T> option) {
    return find(option)
        .orElseThrow(() -> new IllegalStateException(option.flag() + ": not given and no default"));
  }

  /** Returns the value of {@code option}: given, or its default, or empty. */
  @SuppressWarnings("unchecked")
  public <T> Optional<T> find(Option<T> option) {
    Objects.requireNonNull(option, "option");
    Object value = values.get(option);
    if (value != null) {
      return Optional.of((T) value);
    }
    return Optional.ofNullable(option.defaultValue());
  }

  /** Returns whether {@code option} was given by a flag or its environment variable. */
  public boolean isGiven(Option<?> option) {
    return values.containsKey(option);
  }

  /** Names the options given, never their values (some are secrets). */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("ParsedOptions{given: ");
    String sep = "";
    for (Option<?> option : values.keySet()) {
      out.append(sep).append(option.flag());
      sep = ", ";
    }
    return out.append('}').toString();
  }
}
