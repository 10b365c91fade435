package dev.lbkit.hashing;

import java.util.function.Function;

/** The default way a placement names its nodes for hashing. */
final class NodeNames {

  private NodeNames() {}

  /**
   * Names a node: {@link Identified#id()} if it is {@link Identified}, otherwise its {@code
   * toString()}, which is stable for strings, boxed numbers, enums, UUIDs and well-written value
   * types. A type that keeps {@link Object#toString()} (class name and identity hash, different in
   * every process) is rejected, since it would give every process a different placement.
   */
  static String defaultName(Object node) {
    if (node instanceof Identified) {
      return checked(node, ((Identified) node).id());
    }
    if (!(node instanceof CharSequence) && declaresNoToString(node.getClass())) {
      throw new IllegalArgumentException(
          "node: "
              + node
              + " (expected: a String, an Identified, or a type whose toString() is stable;"
              + " pass a nodeName function for "
              + node.getClass().getName()
              + ")");
    }
    return checked(node, node.toString());
  }

  /** Applies {@code nodeName} to {@code node}, rejecting a null or empty name. */
  static <N> String nameOf(Function<? super N, String> nodeName, N node) {
    return checked(node, nodeName.apply(node));
  }

  private static String checked(Object node, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: a non-empty stable name, got " + name + ")");
    }
    return name;
  }

  private static boolean declaresNoToString(Class<?> type) {
    try {
      return type.getMethod("toString").getDeclaringClass() == Object.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("every class has toString()", e);
    }
  }
}
