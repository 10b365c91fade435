package dev.lbkit.services.forward;

import java.io.IOException;

/** The client went away (or its connection failed) while the forwarder wrote to it. */
final class ClientGoneException extends IOException {
  private static final long serialVersionUID = 1L;

  ClientGoneException(Throwable cause) {
    super("the client went away: " + cause.getMessage(), cause);
  }
}
