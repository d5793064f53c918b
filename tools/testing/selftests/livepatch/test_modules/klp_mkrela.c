// SPDX-License-Identifier: GPL-2.0
/*
 * klp_mkrela - turn ordinary relocation sections of a built livepatch module
 * into livepatch relocation sections, as klp-build's "objtool klp post-link"
 * does for real patches.
 *
 *   usage: klp_mkrela [--no-mark] FILE.ko RELASEC=NEWNAME...
 *
 * For each RELASEC=NEWNAME pair, the SHT_RELA section RELASEC (for example
 * ".rela.klp_refs_vmlinux", the relocations of a data section holding
 * pointers to ".klp.sym.<obj>.<name>,<pos>" symbols) is renamed NEWNAME (for
 * example ".klp.rela.vmlinux..klp_refs_vmlinux") and flagged
 * SHF_RELA_LIVEPATCH | SHF_ALLOC (the livepatch core reads it again when a
 * target module loads later, so it must stay in memory).  Every symbol one of
 * its relocations refers to must be undefined; it is marked SHN_LIVEPATCH
 * unless --no-mark is given.
 *
 * The new names are appended to a copy of the section header string table
 * written at the end of the file.  The tool prints the index of the symbol
 * table section (the "rela sec %u" of the livepatch core's error messages).
 */

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHF_RELA_LIVEPATCH	0x00100000
#define SHN_LIVEPATCH		0xff20

static const char *prog = "klp_mkrela";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	Elf64_Ehdr *ehdr;
	Elf64_Shdr *shdrs, *shstr;
	Elf64_Sym *syms = NULL;
	const char *file;
	char *buf, *newstr;
	size_t size, strsize, newsize;
	unsigned int symndx = 0, i;
	int mark = 1, argi = 1;
	FILE *f;
	long len;

	if (argi < argc && !strcmp(argv[argi], "--no-mark")) {
		mark = 0;
		argi++;
	}
	if (argc - argi < 2) {
		fprintf(stderr, "usage: %s [--no-mark] FILE.ko RELASEC=NEWNAME...\n", prog);
		return 2;
	}
	file = argv[argi++];

	f = fopen(file, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read %s", file);
	size = len;
	buf = malloc(size);
	if (!buf || fread(buf, 1, size, f) != size)
		die("cannot read %s", file);
	fclose(f);

	ehdr = (Elf64_Ehdr *)buf;
	if (size < sizeof(*ehdr) || memcmp(ehdr->e_ident, ELFMAG, SELFMAG) ||
	    ehdr->e_ident[EI_CLASS] != ELFCLASS64 || ehdr->e_type != ET_REL ||
	    ehdr->e_shoff + (size_t)ehdr->e_shnum * sizeof(Elf64_Shdr) > size ||
	    ehdr->e_shstrndx >= ehdr->e_shnum)
		die("%s is not a 64-bit relocatable ELF file", file);
	shdrs = (Elf64_Shdr *)(buf + ehdr->e_shoff);
	shstr = &shdrs[ehdr->e_shstrndx];
	for (i = 1; i < ehdr->e_shnum; i++) {
		if (shdrs[i].sh_offset + shdrs[i].sh_size > size &&
		    shdrs[i].sh_type != SHT_NOBITS)
			die("%s: a section lies beyond the end of the file", file);
		if (shdrs[i].sh_type == SHT_SYMTAB) {
			symndx = i;
			syms = (Elf64_Sym *)(buf + shdrs[i].sh_offset);
		}
	}
	if (!symndx)
		die("%s has no symbol table", file);

	/* The new string table: the old one followed by the new names. */
	strsize = shstr->sh_size;
	newsize = strsize;
	for (i = argi; i < (unsigned int)argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i] || !eq[1])
			die("bad argument '%s' (RELASEC=NEWNAME expected)", argv[i]);
		newsize += strlen(eq + 1) + 1;
	}
	newstr = malloc(newsize);
	if (!newstr)
		die("out of memory%s", "");
	memcpy(newstr, buf + shstr->sh_offset, strsize);

	for (i = argi; i < (unsigned int)argc; i++) {
		char *eq = strchr(argv[i], '=');
		Elf64_Shdr *rsec = NULL;
		Elf64_Rela *relas;
		unsigned int j, n;

		*eq = '\0';
		for (j = 1; j < ehdr->e_shnum; j++) {
			if (shdrs[j].sh_name < strsize &&
			    !strcmp(newstr + shdrs[j].sh_name, argv[i])) {
				rsec = &shdrs[j];
				break;
			}
		}
		if (!rsec || rsec->sh_type != SHT_RELA || rsec->sh_link != symndx)
			die("no relocation section %s", argv[i]);

		relas = (Elf64_Rela *)(buf + rsec->sh_offset);
		n = rsec->sh_size / sizeof(*relas);
		for (j = 0; j < n; j++) {
			Elf64_Sym *sym = &syms[ELF64_R_SYM(relas[j].r_info)];

			if (sym->st_shndx != SHN_UNDEF && sym->st_shndx != SHN_LIVEPATCH)
				die("a relocation of %s refers to a defined symbol", argv[i]);
			if (mark)
				sym->st_shndx = SHN_LIVEPATCH;
		}

		rsec->sh_name = strsize;
		strcpy(newstr + strsize, eq + 1);
		strsize += strlen(eq + 1) + 1;
		rsec->sh_flags |= SHF_RELA_LIVEPATCH | SHF_ALLOC;
	}

	shstr->sh_offset = size;
	shstr->sh_size = newsize;

	f = fopen(file, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fwrite(newstr, 1, newsize, f) != newsize ||
	    fclose(f))
		die("cannot write %s", file);
	printf("%u\n", symndx);
	return 0;
}
