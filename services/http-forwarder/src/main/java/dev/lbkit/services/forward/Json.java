package dev.lbkit.services.forward;

/** The one JSON the forwarder writes itself: {@code {"error": "..."}}. */
final class Json {

  private Json() {}

  static String error(String reason) {
    StringBuilder json = new StringBuilder(reason.length() + 16).append("{\"error\":\"");
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append("\"}").toString();
  }
}
