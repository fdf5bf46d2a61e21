// runtime/input_feed.h — a text source over several inputs read one after
// the other, as one stream cut into batches (a folder's files:
// source_dir.cpp). The text source (source_text.cpp) does the reading,
// splitting, CSV headers (one per input) and positions within an input;
// its feed says which input comes next and keeps what it needs to resume.
#ifndef FLOWC_RUNTIME_INPUT_FEED_H
#define FLOWC_RUNTIME_INPUT_FEED_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "byte_input.h"
#include "checkpoint_file.h"
#include "context.h"

namespace flowrt {

class InputFeed {
 public:
  enum class Next {
    kInput,  // *input and *name are the next input
    kWait,   // none now; wait_fd()/wait_ms() say when to ask again
    kEnd,    // none will come
    kError,  // *error says why
  };
  virtual ~InputFeed() = default;

  // Called by the source's open(); false with *error set.
  virtual bool open(FlowContext* ctx, std::string* error) = 0;
  // The input after the current one. *name is how bad-record positions
  // name it (`logs/a.log`). Never blocks.
  virtual Next next(std::unique_ptr<ByteInput>* input, std::string* name, std::string* error) = 0;
  // The current input's every record was handed over.
  virtual void finished_current() = 0;
  // While waiting for an input.
  virtual int wait_fd() const { return -1; }
  virtual int64_t wait_ms(int64_t now) const { return kNoWait; }
  // True when next() would say kEnd now (probe_end: never blocks).
  virtual bool exhausted() = 0;

  // Checkpoints: the feed's part of the source's position (written before
  // the current input's own part). restore() is given it back and reopens
  // the input that was current (*input null when none was), after which
  // the source seeks in it.
  virtual void save(CkptOut& out) = 0;
  virtual bool restore(FlowContext* ctx, CkptIn& in, std::unique_ptr<ByteInput>* input,
                       std::string* name, std::string* error) = 0;
};

// A text source (source_text.cpp) reading `feed`'s inputs.
std::unique_ptr<Source> make_fed_text_source(int32_t index, const FlowSourceDesc* desc,
                                             std::unique_ptr<InputFeed> feed);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_INPUT_FEED_H
