package dev.lbkit.services.broker.csp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in CSP of mock mode (the seed's "mock/production mode"): a pool of {@code size}
 * sandboxes, {@code sbx-mock-00001} and on. Deleting one creates a fresh one with the next number,
 * as a provider that keeps a pool of pre-created sandboxes would, so the pool keeps its size.
 * Thread-safe.
 */
public final class MockCsp implements CspClient {
  private final Map<String, CspSandbox> sandboxes = new LinkedHashMap<>();
  private int next = 1;

  /** Creates a pool of {@code size} sandboxes. */
  public MockCsp(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
    }
    for (int i = 0; i < size; i++) {
      create();
    }
  }

  private void create() {
    String id = String.format(Locale.ROOT, "sbx-mock-%05d", next++);
    sandboxes.put(id, new CspSandbox(id, "mock sandbox " + id, "mock-" + id));
  }

  @Override
  public synchronized List<CspSandbox> list() {
    return new ArrayList<>(sandboxes.values());
  }

  @Override
  public synchronized void delete(String id) {
    if (sandboxes.remove(id) != null) {
      create();
    }
  }
}
