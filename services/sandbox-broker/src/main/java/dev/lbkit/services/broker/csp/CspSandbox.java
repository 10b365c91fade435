package dev.lbkit.services.broker.csp;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A sandbox as the CSP lists it.
 *
 * @param id its id: 1 to 128 of {@code [A-Za-z0-9._:-]}
 * @param name its name
 * @param externalId the CSP's external id, if any
 */
public record CspSandbox(String id, String name, @Nullable String externalId) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Checks the id, so it is safe in URLs, logs and the table. */
  public CspSandbox {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "id: '" + id + "' (expected: 1 to 128 of [A-Za-z0-9._:-])");
    }
  }
}
