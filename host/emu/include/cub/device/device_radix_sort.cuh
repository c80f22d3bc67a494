#pragma once
// Stand-in for cub::DeviceRadixSort: a stable sort on bits [begin_bit, end_bit) of the keys after CUB's bit
// twiddling (signed: sign bit flipped; floating: negatives fully inverted, others sign bit flipped), so the
// order of keys that differ only outside those bits is the input order, exactly as on a GPU.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <vector>

#include "embgeo_emu/cub_device_support.hpp"

namespace embgeo_emu::detail {

template <std::size_t Bytes>
struct UnsignedOfSize;
template <>
struct UnsignedOfSize<1> {
  using type = std::uint8_t;
};
template <>
struct UnsignedOfSize<2> {
  using type = std::uint16_t;
};
template <>
struct UnsignedOfSize<4> {
  using type = std::uint32_t;
};
template <>
struct UnsignedOfSize<8> {
  using type = std::uint64_t;
};

template <typename Key>
typename UnsignedOfSize<sizeof(Key)>::type radix_ordered_bits(Key key) {
  using Bits = typename UnsignedOfSize<sizeof(Key)>::type;
  constexpr Bits kSign = static_cast<Bits>(Bits{1} << (sizeof(Key) * 8 - 1));
  Bits bits;
  std::memcpy(&bits, &key, sizeof bits);
  if constexpr (std::is_floating_point<Key>::value)
    return (bits & kSign) ? static_cast<Bits>(~bits) : static_cast<Bits>(bits | kSign);
  else if constexpr (std::is_signed<Key>::value)
    return static_cast<Bits>(bits ^ kSign);
  else
    return bits;
}

// Values may be absent (SortKeys): then d_values_in and d_values_out are null.
template <typename Key, typename Value>
cudaError_t radix_sort(const char* algorithm, bool descending, void* d_temp, std::size_t& temp_bytes,
                       const Key* d_keys_in, Key* d_keys_out, const Value* d_values_in, Value* d_values_out,
                       long long num_items, int begin_bit, int end_bit, cudaStream_t stream) {
  static_assert(std::is_arithmetic<Key>::value, "the emulated radix sort handles arithmetic keys");
  constexpr int kKeyBits = static_cast<int>(sizeof(Key) * 8);
  const bool with_values = d_values_out != nullptr;
  const std::size_t needed = cub_temp_bytes(num_items, sizeof(Key) + (with_values ? sizeof(Value) : 0));
  cudaError_t result;
  if (!cub_prologue(algorithm, d_temp, temp_bytes, needed, num_items, &result)) return result;
  const std::size_t n = static_cast<std::size_t>(num_items);
  if (begin_bit < 0 || end_bit > kKeyBits || begin_bit > end_bit ||
      !require_device_range(algorithm, "d_keys_in", d_keys_in, n * sizeof(Key)) ||
      !require_device_range(algorithm, "d_keys_out", d_keys_out, n * sizeof(Key)) ||
      (with_values && (!require_device_range(algorithm, "d_values_in", d_values_in, n * sizeof(Value)) ||
                       !require_device_range(algorithm, "d_values_out", d_values_out, n * sizeof(Value)))) ||
      !require_disjoint(algorithm, "d_keys_in and d_keys_out", d_keys_in, d_keys_out, n * sizeof(Key)) ||
      (with_values &&
       !require_disjoint(algorithm, "d_values_in and d_values_out", d_values_in, d_values_out, n * sizeof(Value))))
    return cudaErrorInvalidValue;
  return enqueue(stream, [=] {
    scribble_temp(d_temp, needed);
    using Bits = typename UnsignedOfSize<sizeof(Key)>::type;
    const int width = end_bit - begin_bit;
    const Bits mask = width >= kKeyBits ? static_cast<Bits>(~Bits{0}) : static_cast<Bits>((Bits{1} << width) - 1);
    std::vector<Bits> digits(n);
    for (std::size_t i = 0; i < n; ++i)
      digits[i] = width == 0 ? Bits{0} : static_cast<Bits>((radix_ordered_bits(d_keys_in[i]) >> begin_bit) & mask);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return descending ? digits[a] > digits[b] : digits[a] < digits[b];
    });
    std::vector<Key> keys(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = d_keys_in[order[i]];
    if (with_values) {
      std::vector<Value> values(n);
      for (std::size_t i = 0; i < n; ++i) values[i] = d_values_in[order[i]];
      std::copy(values.begin(), values.end(), d_values_out);
    }
    std::copy(keys.begin(), keys.end(), d_keys_out);
  });
}

}  // namespace embgeo_emu::detail

namespace cub {

struct DeviceRadixSort {
  template <typename KeyT, typename ValueT, typename NumItemsT>
  static cudaError_t SortPairs(void* d_temp_storage, std::size_t& temp_storage_bytes, const KeyT* d_keys_in,
                               KeyT* d_keys_out, const ValueT* d_values_in, ValueT* d_values_out, NumItemsT num_items,
                               int begin_bit = 0, int end_bit = sizeof(KeyT) * 8, cudaStream_t stream = 0) {
    return embgeo_emu::detail::radix_sort("cub::DeviceRadixSort::SortPairs", false, d_temp_storage, temp_storage_bytes,
                                          d_keys_in, d_keys_out, d_values_in, d_values_out,
                                          static_cast<long long>(num_items), begin_bit, end_bit, stream);
  }

  template <typename KeyT, typename ValueT, typename NumItemsT>
  static cudaError_t SortPairsDescending(void* d_temp_storage, std::size_t& temp_storage_bytes, const KeyT* d_keys_in,
                                         KeyT* d_keys_out, const ValueT* d_values_in, ValueT* d_values_out,
                                         NumItemsT num_items, int begin_bit = 0, int end_bit = sizeof(KeyT) * 8,
                                         cudaStream_t stream = 0) {
    return embgeo_emu::detail::radix_sort("cub::DeviceRadixSort::SortPairsDescending", true, d_temp_storage,
                                          temp_storage_bytes, d_keys_in, d_keys_out, d_values_in, d_values_out,
                                          static_cast<long long>(num_items), begin_bit, end_bit, stream);
  }

  template <typename KeyT, typename NumItemsT>
  static cudaError_t SortKeys(void* d_temp_storage, std::size_t& temp_storage_bytes, const KeyT* d_keys_in,
                              KeyT* d_keys_out, NumItemsT num_items, int begin_bit = 0, int end_bit = sizeof(KeyT) * 8,
                              cudaStream_t stream = 0) {
    return embgeo_emu::detail::radix_sort<KeyT, char>("cub::DeviceRadixSort::SortKeys", false, d_temp_storage,
                                                      temp_storage_bytes, d_keys_in, d_keys_out, nullptr, nullptr,
                                                      static_cast<long long>(num_items), begin_bit, end_bit, stream);
  }

  template <typename KeyT, typename NumItemsT>
  static cudaError_t SortKeysDescending(void* d_temp_storage, std::size_t& temp_storage_bytes, const KeyT* d_keys_in,
                                        KeyT* d_keys_out, NumItemsT num_items, int begin_bit = 0,
                                        int end_bit = sizeof(KeyT) * 8, cudaStream_t stream = 0) {
    return embgeo_emu::detail::radix_sort<KeyT, char>("cub::DeviceRadixSort::SortKeysDescending", true, d_temp_storage,
                                                      temp_storage_bytes, d_keys_in, d_keys_out, nullptr, nullptr,
                                                      static_cast<long long>(num_items), begin_bit, end_bit, stream);
  }
};

}  // namespace cub
