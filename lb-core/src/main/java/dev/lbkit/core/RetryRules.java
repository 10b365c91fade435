package dev.lbkit.core;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/** The {@link RetryRule}s lbkit ships: {@link RetryRule#safe()} and friends. */
enum RetryRules implements RetryRule {
  SAFE {
    @Override
    public boolean shouldRetry(Request request, Throwable failure) {
      Throwable cause = unwrap(failure);
      if (neverSent(cause)) {
        return true;
      }
      return cause instanceof IOException && idempotent(request.method());
    }
  },
  ALWAYS {
    @Override
    public boolean shouldRetry(Request request, Throwable failure) {
      return true;
    }
  },
  NEVER {
    @Override
    public boolean shouldRetry(Request request, Throwable failure) {
      return false;
    }
  };

  /** How many wrappers {@link #unwrap} looks through at most: a cycle cannot hang it. */
  private static final int MAX_WRAPPERS = 16;

  /**
   * Returns the cause under any {@link CompletionException} and {@link ExecutionException} wrappers
   * of {@code failure}, or the last wrapper if it has no cause.
   */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    for (int i = 0; i < MAX_WRAPPERS; i++) {
      if (!(t instanceof CompletionException || t instanceof ExecutionException)) {
        return t;
      }
      Throwable cause = t.getCause();
      if (cause == null) {
        return t;
      }
      t = cause;
    }
    return t;
  }

  /** Whether {@code cause} means the request cannot have reached a server. */
  private static boolean neverSent(Throwable cause) {
    return cause instanceof ConnectException
        || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException
        || cause instanceof NoServerAvailableException;
  }

  /** RFC 9110's idempotent methods that {@link RetryRule#safe()} retries, or no method at all. */
  private static boolean idempotent(@Nullable String method) {
    if (method == null) {
      return true;
    }
    switch (method.toUpperCase(Locale.ROOT)) {
      case "GET":
      case "HEAD":
      case "OPTIONS":
      case "PUT":
      case "DELETE":
        return true;
      default:
        return false;
    }
  }

  @Override
  public String toString() {
    return "RetryRule." + name().toLowerCase(Locale.ROOT) + "()";
  }
}
