package dev.lbkit.benchmarks;

import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.List;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.rpc.Invocation;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.Result;
import org.apache.dubbo.rpc.RpcInvocation;
import org.apache.dubbo.rpc.RpcStatus;
import org.apache.dubbo.rpc.cluster.LoadBalance;
import org.apache.dubbo.rpc.cluster.loadbalance.ConsistentHashLoadBalance;
import org.apache.dubbo.rpc.cluster.loadbalance.LeastActiveLoadBalance;
import org.apache.dubbo.rpc.cluster.loadbalance.RoundRobinLoadBalance;
import org.apache.dubbo.rpc.model.ServiceModel;

/**
 * The peer, <b>not library code</b>: one of Apache Dubbo's load balancers ({@code dubbo-cluster})
 * over stub invokers that stand for the benchmark's servers, called the way Dubbo's cluster invoker
 * calls it, {@code select(invokers, consumerUrl, invocation)}.
 *
 * <p>The minimal setup, found by reading Dubbo 3.3.5's balancers: they read only the invokers' URLs
 * (service key, address, {@code weight}, {@code hash.nodes}), the invocation's method name and
 * arguments, and for least-active the static {@link RpcStatus} counters. So there is no registry,
 * directory, router chain, filter or protocol, and no {@code ApplicationModel} or {@code
 * ScopeModel} set up by hand: the first {@link URL#valueOf} initializes Dubbo's default {@code
 * FrameworkModel} by itself (a few hundred milliseconds once per JVM, in the benchmark's setup, and
 * two idle daemon threads). Each server becomes {@code
 * dubbo://host:port/dev.lbkit.benchmarks.Echo?weight=w&hash.nodes=150}: its own weight, and 150
 * virtual nodes like lbkit's ring (Dubbo places them four per MD5 digest, so 148). The list of
 * invokers is built once and passed on every call, as Dubbo's directory caches it, so the
 * consistent-hash balancer keeps its ring (it rebuilds it when the list's hash code changes).
 *
 * <p>What this leaves out favours Dubbo: in production the router chain and filters run before the
 * balancer, and registry URLs carry a {@code timestamp} that adds a clock read to every weight.
 * Thread-safe as Dubbo's balancers are: every thread may call {@link #select} at once.
 */
final class DubboPeer {

  /** The service interface every stub URL names; nothing implements it. */
  static final String SERVICE = "dev.lbkit.benchmarks.Echo";

  /** The method every invocation names. */
  static final String METHOD = "echo";

  private final LoadBalance balance;
  private final List<Invoker<Object>> invokers;
  private final URL consumerUrl;
  private final Invocation noArguments;

  private DubboPeer(LoadBalance balance, List<Server> servers) {
    this.balance = balance;
    List<Invoker<Object>> stubs = new ArrayList<>(servers.size());
    for (Server server : servers) {
      stubs.add(new StubInvoker(server));
    }
    this.invokers = List.copyOf(stubs);
    this.consumerUrl = URL.valueOf("consumer://127.0.0.1/" + SERVICE + "?side=consumer");
    this.noArguments = invocation();
  }

  /**
   * Dubbo's {@code RoundRobinLoadBalance} (smooth weighted, O(n) per pick) over {@code servers}.
   */
  static DubboPeer roundRobin(List<Server> servers) {
    return new DubboPeer(new RoundRobinLoadBalance(), servers);
  }

  /**
   * Dubbo's {@code LeastActiveLoadBalance} over {@code servers}, with each server's {@link
   * Server#activeConnections()} copied into Dubbo's active count ({@link RpcStatus}, static and
   * keyed by URL), so both balancers see the same load.
   */
  static DubboPeer leastActive(List<Server> servers) {
    DubboPeer peer = new DubboPeer(new LeastActiveLoadBalance(), servers);
    for (Invoker<Object> invoker : peer.invokers) {
      URL url = invoker.getUrl();
      RpcStatus.removeStatus(url, METHOD);
      for (int c = 0; c < ((StubInvoker) invoker).server.activeConnections(); c++) {
        RpcStatus.beginCount(url, METHOD);
      }
    }
    return peer;
  }

  /**
   * Dubbo's {@code ConsistentHashLoadBalance} (MD5, a {@code TreeMap} ring) over {@code servers},
   * hashing the invocation's first argument. Its ring is built here, by a first pick.
   */
  static DubboPeer consistentHash(List<Server> servers) {
    DubboPeer peer = new DubboPeer(new ConsistentHashLoadBalance(), servers);
    peer.select(invocation("warm-up"));
    return peer;
  }

  /** Returns an invocation of {@link #METHOD} with {@code arguments}; the key is the first. */
  static Invocation invocation(Object... arguments) {
    Class<?>[] types = new Class<?>[arguments.length];
    for (int i = 0; i < arguments.length; i++) {
      types[i] = arguments[i].getClass();
    }
    return new RpcInvocation((ServiceModel) null, METHOD, SERVICE, SERVICE, types, arguments);
  }

  /** Returns one invocation per key, in order: the Dubbo form of a key array. */
  static Invocation[] invocations(String[] keys) {
    Invocation[] invocations = new Invocation[keys.length];
    for (int i = 0; i < keys.length; i++) {
      invocations[i] = invocation(keys[i]);
    }
    return invocations;
  }

  /** One pick for an invocation without arguments. */
  Invoker<Object> select() {
    return select(noArguments);
  }

  /** One pick for {@code invocation}. */
  Invoker<Object> select(Invocation invocation) {
    return balance.select(invokers, consumerUrl, invocation);
  }

  /** Returns the server a stub invoker made by this class stands for. */
  static Server serverOf(Invoker<?> invoker) {
    return ((StubInvoker) invoker).server;
  }

  /**
   * An invoker that invokes nothing: a URL for the balancer to read. Equality and hash code are
   * identity, as for Dubbo's own invoker wrappers (the consistent-hash balancer hashes the list).
   */
  private static final class StubInvoker implements Invoker<Object> {

    final Server server;
    private final URL url;

    StubInvoker(Server server) {
      this.server = server;
      this.url =
          URL.valueOf(
              "dubbo://"
                  + server.host()
                  + ":"
                  + server.port()
                  + "/"
                  + SERVICE
                  + "?weight="
                  + server.weight()
                  + "&hash.nodes=150");
    }

    @Override
    public Class<Object> getInterface() {
      return Object.class;
    }

    @Override
    public Result invoke(Invocation invocation) {
      throw new UnsupportedOperationException("a stub: only balancers read it");
    }

    @Override
    public URL getUrl() {
      return url;
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public void destroy() {}

    @Override
    public String toString() {
      return "StubInvoker{" + server + "}";
    }
  }
}
