// runtime/byte_input.h — where a text source's bytes come from: a file
// (optionally followed like `tail -F`), stdin, or a TCP connection.
#ifndef FLOWC_RUNTIME_BYTE_INPUT_H
#define FLOWC_RUNTIME_BYTE_INPUT_H

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "record_splitter.h"

namespace flowrt {

// How often an idle followed file is checked for growth, rotation and
// truncation (tail -F checks every second; a short period keeps latency low
// at the cost of one stat(2) per period).
inline constexpr int64_t kFollowPollMs = 50;

class ByteInput {
 public:
  enum class Read {
    kData,        // bytes were appended to the splitter
    kWouldBlock,  // nothing now; wait_fd()/wait_ms() say when to retry
    kEof,         // the input has ended
    kRotated,     // followed file: the old file is drained, reopen() next
    kError,       // *error holds the message
  };
  virtual ~ByteInput() = default;
  // Appends at most one read(2) worth of bytes to `splitter`; never blocks.
  virtual Read read_into(RecordSplitter* splitter, std::string* error) = 0;
  // It may move, overwrite or release bytes of records handed out before
  // (a buffer compacted and refilled, mapped pages released or remapped).
  //
  // Whether the bytes of records handed out stay where they are until a
  // read_into that read_moves_bytes says moves them (a mapped file: only
  // releasing pages and remapping do). Then morsels on worker threads read
  // them in place, and the source settles them before such a read; other
  // inputs' morsels hold their own copy (Workers::submit_records).
  virtual bool bytes_stay() const { return false; }
  virtual bool read_moves_bytes(const RecordSplitter& splitter) const {
    (void)splitter;
    return true;
  }
  // Bytes from input offset `offset` on are still read in place by morsels
  // on worker threads (FlowContext::read_in_place_from): a mapped file
  // releases its pages only before it (and before the splitter's consumed
  // position), without waiting for the morsels. Set before each read_into.
  virtual void keep_from(int64_t offset) { (void)offset; }
  // Where work aside from the records may run (Workers::run_aside: a pool
  // thread), set when the source's morsels run on worker threads: a mapped
  // file there faults in and fetches its next window ahead of the
  // splitter, and releases pages, off the reading thread. Null: nothing
  // ahead, releases done here.
  using Aside = std::function<void(std::function<void()>)>;
  void run_aside_with(Aside aside) { aside_ = std::move(aside); }

 protected:
  Aside aside_;

 public:
  virtual int wait_fd() const { return -1; }
  virtual int64_t wait_ms(int64_t now) const;
  // Followed file after kRotated: opens the file now at the path. False
  // (try again later) when it cannot be opened yet.
  virtual bool reopen() { return false; }
  // Checkpoints: positions a file at byte `offset` (nothing buffered).
  // False with *error set for inputs that cannot seek, or when the file is
  // shorter than `offset`.
  virtual bool seek(int64_t offset, std::string* error) {
    (void)offset;
    *error = "this input cannot seek";
    return false;
  }
};

// Opens `path`; nullptr with *error set (`cannot open "x": No such file...`).
std::unique_ptr<ByteInput> open_file_input(const std::string& path, bool follow,
                                           std::string* error);
// Reads an inherited descriptor (stdin); does not close it.
std::unique_ptr<ByteInput> fd_input(int fd);
// Connects to "host:port" as a TCP client; nullptr with *error set.
std::unique_ptr<ByteInput> connect_socket_input(const std::string& address,
                                                std::string* error);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_BYTE_INPUT_H
