package dev.lbkit.micrometer;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.LoadBalancerListener;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Publishes what a {@link LoadBalancer} does, and the state of its servers, as Micrometer meters.
 *
 * <pre>{@code
 * new LoadBalancerMetrics(lb, "orders").bindTo(registry);
 * }</pre>
 *
 * <p>Meters, each tagged {@code balancer} (the name given here) and, per server, {@code server}
 * (the server's id):
 *
 * <ul>
 *   <li>{@code lbkit.requests} (counter): requests routed and leases granted
 *   <li>{@code lbkit.lease.errors} (counter): leases closed with a failure
 *   <li>{@code lbkit.lease} (timer, tagged {@code outcome=success|failure}): how long leases were
 *       held, by the balancer's ticker
 *   <li>{@code lbkit.connections.active} (gauge): the server's active connections (counted on the
 *       {@link Server}, so leases from other balancers holding it count too)
 *   <li>{@code lbkit.server.healthy}, {@code lbkit.server.draining}, {@code lbkit.server.ejected}
 *       (gauges, 1 or 0)
 *   <li>{@code lbkit.rejected} (counter, per balancer): requests with no admissible server
 * </ul>
 *
 * <p>Counters and timers are fed by a {@link LoadBalancerListener}, so they count what happens from
 * {@link #bindTo} on (bind before traffic for them to match {@link LoadBalancer#stats()}). They are
 * kept per server id: they only ever grow, and a server that is removed and added again goes on
 * counting on the same meters. They stay in the registry when their server leaves (a counter must
 * never go back), so a balancer that churns through many server ids keeps a few meters for every id
 * it has seen.
 *
 * <p>Gauges exist for members only, draining ones included: they are registered for the balancer's
 * servers when bound and for each server that joins, and removed from the registry when their
 * server leaves (removed, or drained to its end). Tags carry server ids only, never request
 * contents.
 *
 * <p>Thread-safe. The routing thread pays one map read and one counter add per request, a timer
 * record per closed lease. A listener callback never throws into the balancer and never waits for
 * another thread: a meter Micrometer refuses (a name taken by a meter of another type, say) is
 * logged and skipped. Binding to several registries publishes to each; binding to the same registry
 * again does nothing.
 */
public final class LoadBalancerMetrics implements MeterBinder {

  /*
   * Why a listener, and how the gauges follow membership.
   *
   * This class used to bind FunctionCounters to the balancer's package-private per-server
   * counters, once per server id. After a remove and re-add the balancer counted on a new backend
   * while the meters kept reading the old one (lbkit.requests stuck at 5 while the balancer had
   * routed 10). Now it uses the public API only, and counts by itself.
   *
   * Counters and timers are cached per server id in a ConcurrentHashMap. A miss registers the
   * meters outside any lock of ours and publishes them with putIfAbsent; Micrometer returns the
   * meter already registered for the same name and tags, so two threads racing on a miss end up
   * holding the same meters and nothing is counted twice. Keying by id (not by Server object or
   * membership) is what makes the counters survive a remove and re-add.
   *
   * Gauges must follow membership, and membership events can arrive out of order: the balancer
   * publishes each change under its own lock but calls listeners after releasing it, so a thread
   * that adds a server and one that removes it may call us in either order. An event therefore only
   * says "look at this server again": the server goes into a pending set, and whichever thread wins
   * the `reconciling` flag takes the pending servers, reads the balancer's servers (after taking
   * them, so a change published later sends an event that puts its server back), and makes the
   * registry match: gauges bound to the member's own Server object if it is a member, none if not.
   * The winner loops until the set is empty; a thread that loses the flag returns at once, its
   * server being handled by the winner. Nobody waits, so nothing of ours is held while Micrometer
   * takes its registry lock, and a registry callback that changes the balancer cannot deadlock with
   * us: its change is queued and the running pass picks it up. The gauge functions read the
   * Server's volatile state and the balancer's isDraining and isEjected, and take no lock of ours
   * either (there is none).
   */

  private static final System.Logger LOG = System.getLogger(LoadBalancerMetrics.class.getName());

  private final LoadBalancer balancer;
  private final String name;
  private final Set<MeterRegistry> registries = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean warned = new AtomicBoolean();

  /**
   * Creates a binder for {@code balancer}, whose meters carry the tag {@code balancer=name}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public LoadBalancerMetrics(LoadBalancer balancer, String name) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.name = MeterNames.checkName(name);
  }

  /**
   * Registers the meters in {@code registry} and starts feeding them: adds a listener to the
   * balancer and registers gauges for its servers. Cost: O(n) for n servers.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (!registries.add(registry)) {
      return;
    }
    try {
      new Binding(registry).start();
    } catch (RuntimeException e) {
      registries.remove(registry);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "LoadBalancerMetrics{" + name + ", " + registries.size() + " registries}";
  }

  /** Logs a failure of Micrometer's: the first one with its stack trace, later ones briefly. */
  private void failed(String when, RuntimeException e) {
    MeterNames.failed(LOG, warned, "balancer '" + name + "'", when, e);
  }

  /** The counters and timers of one server id in one registry. */
  private static final class Traffic {
    final Counter requests;
    final Counter errors;
    final Timer succeeded;
    final Timer failed;

    Traffic(MeterRegistry registry, Tags tags) {
      requests =
          Counter.builder("lbkit.requests")
              .description("requests routed and leases granted")
              .tags(tags)
              .register(registry);
      errors =
          Counter.builder("lbkit.lease.errors")
              .description("leases closed with a failure")
              .tags(tags)
              .register(registry);
      succeeded = lease(registry, tags, "success");
      failed = lease(registry, tags, "failure");
    }

    private static Timer lease(MeterRegistry registry, Tags tags, String outcome) {
      return Timer.builder("lbkit.lease")
          .description("how long leases were held")
          .tags(tags)
          .tag("outcome", outcome)
          .register(registry);
    }
  }

  /** The gauges of one member, bound to its own {@link Server} object. */
  private static final class Gauges {
    final Server server;
    final List<Meter> meters = new ArrayList<>(4);

    Gauges(Server server) {
      this.server = server;
    }
  }

  /** The meters of this balancer in one registry, and the listener that feeds them. */
  private final class Binding implements LoadBalancerListener {
    private final MeterRegistry registry;
    private final Counter rejected;
    private final ConcurrentMap<String, Traffic> traffic = new ConcurrentHashMap<>();
    private final Set<Server> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reconciling = new AtomicBoolean();
    // Read and written only by the thread that holds `reconciling`, which orders their accesses.
    private final Map<String, Gauges> gauges = new HashMap<>();

    Binding(MeterRegistry registry) {
      this.registry = registry;
      this.rejected =
          Counter.builder("lbkit.rejected")
              .description("requests that found no admissible server")
              .tags("balancer", name)
              .register(registry);
    }

    void start() {
      balancer.addListener(this); // first, so that no change after the read below goes unheard
      pending.addAll(balancer.servers());
      reconcile();
    }

    @Override
    public void onRouted(Request request, Server server) {
      try {
        traffic(server).requests.increment();
      } catch (RuntimeException e) {
        failed("on a routed request", e);
      }
    }

    @Override
    public void onRejected(Request request) {
      try {
        rejected.increment();
      } catch (RuntimeException e) {
        failed("on a rejected request", e);
      }
    }

    @Override
    public void onLeaseClosed(
        Request request, Server server, long latencyNanos, @Nullable Throwable failure) {
      try {
        Traffic meters = traffic(server);
        if (failure == null) {
          meters.succeeded.record(latencyNanos, TimeUnit.NANOSECONDS);
        } else {
          meters.errors.increment();
          meters.failed.record(latencyNanos, TimeUnit.NANOSECONDS);
        }
      } catch (RuntimeException e) {
        failed("on a closed lease", e);
      }
    }

    @Override
    public void onServerAdded(Server server) {
      pending.add(server);
      reconcile();
    }

    @Override
    public void onServerRemoved(Server server) {
      pending.add(server);
      reconcile();
    }

    /** Returns the counters and timers of {@code server}'s id, registering them on first use. */
    private Traffic traffic(Server server) {
      Traffic meters = traffic.get(server.id());
      if (meters == null) {
        Traffic registered = new Traffic(registry, tags(server));
        meters = traffic.putIfAbsent(server.id(), registered);
        if (meters == null) {
          meters = registered;
        }
      }
      return meters;
    }

    private Tags tags(Server server) {
      return Tags.of("balancer", name, "server", server.id());
    }

    /** Makes the gauges match membership for every pending server; see the essay above. */
    private void reconcile() {
      while (!pending.isEmpty() && reconciling.compareAndSet(false, true)) {
        try {
          List<Server> batch = new ArrayList<>();
          for (Iterator<Server> it = pending.iterator(); it.hasNext(); ) {
            batch.add(it.next());
            it.remove();
          }
          Map<String, Server> members = new HashMap<>();
          for (Server member : balancer.servers()) {
            members.put(member.id(), member);
          }
          for (Server server : batch) {
            try {
              sync(server.id(), members.get(server.id()));
            } catch (RuntimeException e) {
              failed("on a membership change of " + server.id(), e);
            }
          }
        } finally {
          reconciling.set(false);
        }
      }
    }

    /** Gives {@code id} gauges bound to {@code member}, or none if it is null; reconciler only. */
    @SuppressWarnings("ReferenceEquality") // another Server object with the same id: rebind
    private void sync(String id, @Nullable Server member) {
      Gauges present = gauges.get(id);
      if (present != null && present.server != member) {
        gauges.remove(id);
        for (Meter meter : present.meters) {
          registry.remove(meter);
        }
      }
      if (member != null && !gauges.containsKey(id)) {
        Gauges added = new Gauges(member);
        gauges.put(id, added); // first, so that a registration that throws leaves none untracked
        Tags tags = tags(member);
        gauge(
            added,
            "lbkit.connections.active",
            "active connections",
            tags,
            s -> s.activeConnections());
        gauge(
            added,
            "lbkit.server.healthy",
            "1 when the server is healthy",
            tags,
            s -> s.isHealthy() ? 1 : 0);
        gauge(
            added,
            "lbkit.server.draining",
            "1 while the server drains",
            tags,
            s -> balancer.isDraining(s) ? 1 : 0);
        gauge(
            added,
            "lbkit.server.ejected",
            "1 while the server is ejected",
            tags,
            s -> balancer.isEjected(s) ? 1 : 0);
        traffic(member); // a member's counters read 0 before its first request
      }
    }

    private void gauge(
        Gauges gauges,
        String meter,
        String description,
        Tags tags,
        ToDoubleFunction<Server> value) {
      gauges.meters.add(
          Gauge.builder(meter, gauges.server, value)
              .description(description)
              .tags(tags)
              .strongReference(true) // removed when the server leaves; never reads a stale object
              .register(registry));
    }

    @Override
    public String toString() {
      return "LoadBalancerMetrics{" + name + "}";
    }
  }
}
