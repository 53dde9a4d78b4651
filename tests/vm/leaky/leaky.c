// SPDX-License-Identifier: GPL-2.0
/*
 * leaky: a test module of pattrack's VM harness that leaks on purpose.  At
 * load it maps ivshmem's BAR0 uncached-minus (ioremap) and reserves the
 * last page of its BAR2 write-combining (arch_io_reserve_memtype_wc); at
 * unload it undoes neither.  pattrack must name both as leaks of this
 * module, on that device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110

static struct pci_dev *pdev;
static void __iomem *regs;

/*
 * Not __init, and no tail calls: the frames of these calls must still be
 * named after the module's init code is freed.
 */
static noinline int leaky_map(void)
{
	resource_size_t last = pci_resource_end(pdev, 2) + 1 - PAGE_SIZE;
	int err;

	regs = ioremap(pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
	if (!regs) {
		pr_err("cannot map BAR0 of %s\n", pci_name(pdev));
		return -ENOMEM;
	}
	err = arch_io_reserve_memtype_wc(last, PAGE_SIZE);
	if (err)
		pr_err("cannot reserve %pa write-combining: %d\n", &last, err);
	else
		pr_info("mapped BAR0 and reserved %pa of %s; neither is released\n", &last,
			pci_name(pdev));
	return err;
}

static int __init leaky_init(void)
{
	int err;

	pdev = pci_get_device(IVSHMEM_VENDOR, IVSHMEM_DEVICE, NULL);
	if (!pdev)
		return -ENODEV;
	err = leaky_map();
	if (err) {
		if (regs)
			iounmap(regs);
		pci_dev_put(pdev);
	}
	return err;
}

static void __exit leaky_exit(void)
{
	/* the leak: no iounmap(regs), no arch_io_free_memtype_wc() */
	pci_dev_put(pdev);
}

module_init(leaky_init);
module_exit(leaky_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pattrack test: leaks an ioremap and a write-combining reservation");
