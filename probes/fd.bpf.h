/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a file descriptor of the current task to its struct sock, for hooks
 * at a syscall's exit that only have the syscall's fds (accept, connect).
 * Include common.bpf.h first.
 */
#ifndef TCPTRACE_FD_BPF_H
#define TCPTRACE_FD_BPF_H

#define TT_S_IFMT 0170000
#define TT_S_IFSOCK 0140000

/* The file at fd in the task's table, or NULL. */
static __always_inline struct file *tt_fd_file(struct task_struct *task, __s64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_core_read(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* The struct sock behind a socket file; NULL for any other file. */
static __always_inline struct sock *tt_file_sock(struct file *file)
{
	struct socket *sock;

	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & TT_S_IFMT) != TT_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	/* sock_alloc_file() links both ways: a socket's file is this file. */
	if (!sock || BPF_CORE_READ(sock, file) != file)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

#endif /* TCPTRACE_FD_BPF_H */
