// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/bpf/maps.c: the size of a socket map for a host's sockets and CPUs. */
#include "bpf/kernel.h"
#include "check.h"

int main(void)
{
	/* small hosts: the minimum */
	CHECK(tt_socket_map_entries(0, 1) == 16384);
	CHECK(tt_socket_map_entries(1, 2) == 16384);
	CHECK(tt_socket_map_entries(3000, 2) == 16384);
	/* unknown CPU count: sockets alone */
	CHECK(tt_socket_map_entries(0, -1) == 16384);
	/* 4 x sockets + 256 per CPU, rounded up to a power of two */
	CHECK(tt_socket_map_entries(4000, 2) == 16384 * 2);
	CHECK(tt_socket_map_entries(0, 64) == 16384);
	CHECK(tt_socket_map_entries(0, 65) == 16384 * 2);
	CHECK(tt_socket_map_entries(8192, 0) == 32768);
	CHECK(tt_socket_map_entries(8193, 0) == 65536);
	CHECK(tt_socket_map_entries(50000, 128) == 262144);
	/* huge counts stop at 2^31; the map's declared size caps it later */
	CHECK(tt_socket_map_entries(1ul << 40, 4) == 1u << 31);

	/* threads in a call: at least 4096 */
	CHECK(tt_thread_map_entries(0, 0) == 4096);
	CHECK(tt_thread_map_entries(245, 2) == 4096);
	CHECK(tt_thread_map_entries(0, -3) == 4096);
	/* 4 x threads + 256 per CPU, rounded up to a power of two */
	CHECK(tt_thread_map_entries(1024, 0) == 4096);
	CHECK(tt_thread_map_entries(1025, 0) == 8192);
	CHECK(tt_thread_map_entries(900, 2) == 8192);
	CHECK(tt_thread_map_entries(0, 16) == 4096);
	CHECK(tt_thread_map_entries(0, 17) == 8192);
	CHECK(tt_thread_map_entries(10000, 128) == 131072);
	CHECK(tt_thread_map_entries(1ul << 40, 4) == 1u << 31);
	return tt_test_done("test_maps");
}
