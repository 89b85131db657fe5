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

/*
 * The task's file table, read once per accept: both the new fd and the
 * listener fd are looked up in it. Where tt_typed(), the hops are direct
 * reads (common.bpf.h) through a bpf_rdonly_cast() of the task: not
 * through bpf_get_current_task_btf()'s own pointer, which is "trusted",
 * and for each pointer read through a trusted pointer the verifier
 * (v6.4+) looks for a "__safe_trusted" type by name in the kernel's BTF, a
 * scan of all its types: ~1 ms of load time per program here.
 */
struct tt_fd_table {
	struct file **fd;
	__u32 max_fds;
};

static __always_inline bool tt_fd_table(struct task_struct *task, struct tt_fd_table *t)
{
	const struct task_struct *typed;
	struct files_struct *files;
	struct fdtable *fdt;

	if (!tt_typed()) {
		fdt = BPF_CORE_READ(task, files, fdt);
		if (!fdt)
			return false;
		t->max_fds = BPF_CORE_READ(fdt, max_fds);
		t->fd = BPF_CORE_READ(fdt, fd);
		return true;
	}
	typed = bpf_rdonly_cast(task, tt_ids.task_struct);
	files = typed->files;
	if (!files)
		return false;
	fdt = files->fdt;
	if (!fdt)
		return false;
	t->max_fds = fdt->max_fds;
	t->fd = fdt->fd;
	return true;
}

/* The file at fd in the table, or NULL. */
static __always_inline struct file *tt_fd_file(const struct tt_fd_table *t, __s64 fd)
{
	struct file *file = NULL;

	if (fd < 0 || fd >= t->max_fds)
		return NULL;
	/* Not a CO-RE read: t is ours, the array holds plain pointers. */
	if (bpf_probe_read_kernel(&file, sizeof(file), t->fd + fd))
		return NULL;
	return file;
}

/*
 * The struct sock behind a socket file; NULL for any other file. Where
 * tt_typed(), one the verifier knows (read it directly), else an address.
 */
static __always_inline struct sock *tt_file_sock(struct file *file)
{
	struct socket *sock;

	if (!file)
		return NULL;
	if (tt_typed()) {
		const struct file *f = bpf_rdonly_cast(file, tt_ids.file);
		void *priv;

		if ((f->f_inode->i_mode & TT_S_IFMT) != TT_S_IFSOCK)
			return NULL;
		priv = f->private_data;
		if (!priv)
			return NULL;
		sock = bpf_rdonly_cast(priv, tt_ids.socket);
		if (sock->file != file)
			return NULL;
		return sock->sk;
	}
	if ((BPF_CORE_READ(file, f_inode, i_mode) & TT_S_IFMT) != TT_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	/* sock_alloc_file() links both ways: a socket's file is this file. */
	if (!sock || BPF_CORE_READ(sock, file) != file)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

#endif /* TCPTRACE_FD_BPF_H */
