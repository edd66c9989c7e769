package io.saferollout.realapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Linux's view of listening TCP sockets: /proc/net/tcp{,6} and a process's socket descriptors. */
final class ListeningSockets {

  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** Listening sockets by inode, each as its local address in /proc's hex form (ADDR:PORT). */
  static Map<Long, String> read() throws IOException {
    Map<Long, String> byInode = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[3].equals(LISTEN)) {
          byInode.put(Long.parseLong(f[9]), f[1]);
        }
      }
    }
    return byInode;
  }

  static List<Long> socketInodes(long pid) throws IOException {
    List<Long> inodes = new ArrayList<>();
    Path fds = Path.of("/proc", Long.toString(pid), "fd");
    try (Stream<Path> entries = Files.list(fds)) {
      for (Path fd : (Iterable<Path>) entries::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
          }
        } catch (IOException e) {
          // The descriptor closed while we listed them.
        }
      }
    }
    return inodes;
  }

  /** 127.0.0.0/8 in /proc's little-endian hex (..7F), or ::1, or ::ffff:127.x. */
  static boolean isLoopback(String hexAddress) {
    String address = hexAddress.substring(0, hexAddress.indexOf(':'));
    if (address.length() == 8) {
      return address.endsWith("7F");
    }
    return address.equals("00000000000000000000000001000000")
        || (address.startsWith("0000000000000000FFFF0000") && address.endsWith("7F"));
  }
}
