// runtime/sources.h — constructors of the source kinds (connectors.cpp maps
// kinds to them).
#ifndef FLOWC_RUNTIME_SOURCES_H
#define FLOWC_RUNTIME_SOURCES_H

#include <memory>

#include "context.h"

namespace flowrt {

// file(), stdin(), socket(): records cut from a byte stream.
std::unique_ptr<Source> make_text_source(int32_t index, const FlowSourceDesc* desc);
// generate(): value ranges handed to the generate function.
std::unique_ptr<Source> make_generate_source(int32_t index, const FlowSourceDesc* desc);
// dir(): a folder's files read one after the other (source_dir.cpp).
std::unique_ptr<Source> make_dir_source(int32_t index, const FlowSourceDesc* desc);
// kafka(): a consumer-group consumer (source_kafka.cpp).
std::unique_ptr<Source> make_kafka_source(int32_t index, const FlowSourceDesc* desc);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_SOURCES_H
