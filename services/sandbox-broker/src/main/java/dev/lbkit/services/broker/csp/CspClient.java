package dev.lbkit.services.broker.csp;

import java.util.List;

/** The two calls the broker makes to the CSP. Implementations are thread-safe. */
public interface CspClient {
  /** Returns every sandbox the CSP has for the broker's pool. */
  List<CspSandbox> list() throws Exception;

  /** Deletes sandbox {@code id}; a sandbox already gone counts as deleted. */
  void delete(String id) throws Exception;
}
