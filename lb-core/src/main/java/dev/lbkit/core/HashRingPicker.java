package dev.lbkit.core;

import dev.lbkit.hashing.ConsistentHash;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Routes a request by its key (or client IP) on a consistent hash ring of the healthy servers; see
 * {@link ServerPicker#consistentHash}. The ring is rebuilt with the healthy subset, when membership
 * or health changes, never per pick.
 */
final class HashRingPicker extends SnapshotPicker<ConsistentHash<Server>> {

  private final RoundRobin keyless;

  HashRingPicker(List<Server> servers) {
    this(servers, false);
  }

  /** Creates a picker that, with {@code ignoreHealth}, counts every server as healthy. */
  HashRingPicker(List<Server> servers, boolean ignoreHealth) {
    super(
        new Membership<>(
            servers, healthy -> new ConsistentHash<>(Arrays.asList(healthy)), ignoreHealth));
    this.keyless = new RoundRobin(servers, 0, ignoreHealth);
  }

  /** Round robin: a pick without a request has no key to hash. */
  @Override
  public @Nullable Server next() {
    return keyless.next();
  }

  @Override
  public @Nullable Server next(Request request) {
    String key = keyOf(request);
    return key == null ? keyless.next() : membership.current().derived.getNode(key);
  }

  @Override
  public @Nullable Server next(Request request, Predicate<? super Server> admit) {
    String key = keyOf(request);
    if (key == null) {
      return super.next(request, admit);
    }
    return membership.current().derived.getNode(key, admit);
  }

  private static @Nullable String keyOf(Request request) {
    Objects.requireNonNull(request, "request");
    String key = request.key();
    return key != null ? key : request.clientIp();
  }

  @Override
  public void setServers(List<Server> servers) {
    membership.replace(servers);
    keyless.setServers(servers);
  }

  @Override
  public String toString() {
    return "ConsistentHash" + servers();
  }
}
